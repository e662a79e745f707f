/** Operator actions on a running order: the same decisions as Temporal Updates and as signals. */

export interface ResolveRequest {
  outcome: 'SUCCEEDED' | 'FAILED';
  note: string;
  operator: string;
}

export interface RetryRequest {
  operator: string;
  note?: string;
}

export type OperatorDecision = ({ action: 'resolve' } & ResolveRequest) | ({ action: 'retry' } & RetryRequest);

/** What an accepted operator action led to, returned to the caller of the Update. */
export interface DecisionResult {
  status: string;
  message: string;
}

/** Why a decision is malformed (from a hand-typed CLI payload, say), or undefined. */
export function malformedDecision(decision: unknown): string | undefined {
  if (typeof decision !== 'object' || decision === null) return 'a decision is a JSON object';
  const d = decision as Record<string, unknown>;
  if (typeof d.operator !== 'string' || d.operator.trim() === '') return '"operator" (who decides) is required';
  if (d.note !== undefined && typeof d.note !== 'string') return '"note" must be a string';
  if (d.action === 'retry') return undefined;
  if (d.action !== 'resolve') return '"action" must be "resolve" or "retry"';
  if (d.outcome !== 'SUCCEEDED' && d.outcome !== 'FAILED') return '"outcome" must be SUCCEEDED or FAILED';
  if (typeof d.note !== 'string' || d.note.trim() === '') return 'a resolution needs a "note" saying why';
  return undefined;
}
