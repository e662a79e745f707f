import { setTimeout as sleep } from 'node:timers/promises';

const FINAL = new Set(['SUCCEEDED', 'FAILED']);

/**
 * Merchants polling their open orders, as real ones do while they wait:
 * `concurrency` loops, each reading the next open order (`GET /orders/:id`)
 * every `everyMs`, until the order is final; conditionally, as the README
 * tells merchants to (If-None-Match with the last ETag: 304 while unchanged).
 */
export function startMerchantPollers(
  apiUrl: string,
  headers: Record<string, string>,
  { concurrency = 8, everyMs = 50 } = {},
) {
  const open: string[] = [];
  let next = 0;
  let running = true;
  const etags = new Map<string, string>();
  let polls = 0;
  let notModified = 0;
  let failures = 0;

  async function pollOne(orderId: string) {
    try {
      const etag = etags.get(orderId);
      const response = await fetch(`${apiUrl}/orders/${orderId}`, {
        headers: { ...headers, ...(etag && { 'if-none-match': etag }) },
      });
      polls += 1;
      if (response.status === 304) return void (notModified += 1);
      const { status } = (await response.json()) as { status?: string };
      if (!response.ok) return void (failures += 1);
      etags.set(orderId, response.headers.get('etag') ?? '');
      if (status && FINAL.has(status)) {
        open.splice(open.indexOf(orderId), 1);
        etags.delete(orderId);
      }
    } catch {
      failures += 1;
    }
  }

  async function loop() {
    while (running) {
      const orderId = open.length > 0 ? open[next++ % open.length] : undefined;
      if (orderId) await pollOne(orderId);
      await sleep(everyMs);
    }
  }
  const loops = Array.from({ length: concurrency }, loop);

  return {
    /** An accepted order the merchant now waits for. */
    track: (orderId: string) => void open.push(orderId),
    async stop(): Promise<{ polls: number; notModified: number; failures: number }> {
      running = false;
      await Promise.all(loops);
      return { polls, notModified, failures };
    },
  };
}
