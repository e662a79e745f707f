/** How long an alert webhook (chat, paging) gets to take an alert. */
const ALERT_TIMEOUT_MS = 5_000;

/**
 * POSTs an alert as JSON (`{type, ...fields}`) to the alert webhook; throws
 * unless it answers 2xx. Callers that must not fail on a chat channel catch.
 */
export async function postAlert(url: string, type: string, fields: Record<string, unknown>): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type, ...fields }),
    signal: AbortSignal.timeout(ALERT_TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`alert webhook answered HTTP ${response.status}`);
}
