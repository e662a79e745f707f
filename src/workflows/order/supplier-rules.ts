/**
 * How an order moves among suppliers before its SLA deadline. Each attempt
 * goes to the supplier the router picks; the order moves on to another only
 * when the current one has definitively not credited the phone (a refusal, a
 * FAILED result, or its status endpoint never got the request). An unknown
 * outcome is never failed over: the order waits for the deadline's status question.
 */
import { OrderEvent } from '../../shared/order-events.ts';
import { OrderStatus } from '../../shared/order-status.ts';
import type { OrderOutcome, SupplierAttempt } from '../../shared/order-workflow.ts';
import type { RouteDecision, SkippedSupplier, SubmitResult } from '../../shared/suppliers.ts';
import type { Draft } from './draft.ts';
import { finish } from './outcome-rules.ts';

/** How long an order with no supplier available waits before routing again (within its SLA). */
export const ROUTE_AGAIN_MS = 10_000;

const describe = ({ supplierId, reason }: SkippedSupplier) => `${supplierId}: ${reason}`;

const attemptDetail = (attempt: SupplierAttempt) => ({
  round: attempt.round,
  attempt: attempt.attempt,
  supplierId: attempt.supplierId,
  requestId: attempt.requestId,
  costFen: attempt.costFen,
  ...(attempt.probe && { probe: true }),
});

/** Asks the router for the next attempt's supplier, leaving out those that declined the order in this round. */
export function route(draft: Draft, deadlineMs: number, again = false): void {
  const { order } = draft.machine;
  const declinedNow = order.attempts.filter((a) => a.round === order.round && a.state === 'declined');
  const declined = declinedNow.filter((a) => a.declined?.restingUntil === undefined).map((a) => a.supplierId);
  const resting = declinedNow.filter((a) => (a.declined?.restingUntil ?? 0) > draft.at).map((a) => a.supplierId);
  draft.stage = { name: 'routing', deadlineMs, ...(again && { again }) };
  draft.command({ type: 'route', attempt: order.attempts.length + 1, declined: [...new Set(declined)], resting });
}

/** The router's choice: send the attempt, wait for a supplier, or fail (none is left). */
export function onRouteDecided(draft: Draft, decision: RouteDecision): void {
  const { stage } = draft;
  if (stage.name !== 'routing') return;
  const skipped = decision.skipped.map(describe);
  if (decision.kind === 'chosen') return send(draft, decision, stage.deadlineMs);
  if (decision.kind === 'none-now') {
    // Written to the view once per wait, not at every re-route.
    draft.record(OrderEvent.SUPPLIER_UNAVAILABLE, { skipped }, { view: !stage.again });
    draft.stage = { name: 'waiting-for-supplier', deadlineMs: stage.deadlineMs, retryAtMs: draft.at + ROUTE_AGAIN_MS };
    return;
  }
  draft.record(OrderEvent.NO_SUPPLIER_LEFT, { skipped }, { view: true });
  const { order } = draft.machine;
  const last = order.attempts.filter((a) => a.round === order.round).at(-1)?.declined;
  const because = last ?? {
    reason: `no supplier can take the order: ${skipped.join('; ')}`,
    resolvedBy: 'no-supplier' as const,
  };
  finish(draft, { status: OrderStatus.FAILED, reason: because.reason, resolvedBy: because.resolvedBy });
}

function send(draft: Draft, chosen: Extract<RouteDecision, { kind: 'chosen' }>, deadlineMs: number): void {
  const { order } = draft.machine;
  const { supplierId, requestId, taskQueue, costFen } = chosen;
  const attempt: SupplierAttempt = {
    attempt: order.attempts.length + 1,
    round: order.round,
    supplierId,
    requestId,
    taskQueue,
    costFen,
    state: 'sent',
    ...(chosen.probe && { probe: true }),
  };
  order.attempts = [...order.attempts, attempt];
  draft.record(OrderEvent.SUPPLIER_CHOSEN, { ...attemptDetail(attempt), skipped: chosen.skipped.map(describe) });
  draft.stage = { name: 'sending', attempt: attempt.attempt, deadlineMs };
  draft.command({ type: 'submit-to-supplier', attempt });
}

/** Records that the attempt's supplier has definitively not credited the phone, so a later SUCCESS from it is a contradiction. */
export function markDeclined(
  draft: Draft,
  attempt: SupplierAttempt,
  reason: string,
  resolvedBy: OrderOutcome['resolvedBy'],
  extra: Record<string, unknown> = {},
  resting: { restingUntil?: number } = {},
): void {
  if (attempt.state === 'declined') return;
  const declined = draft.updateAttempt(attempt, { state: 'declined', declined: { reason, resolvedBy, ...resting } });
  draft.record(OrderEvent.SUPPLIER_DECLINED, { ...attemptDetail(declined), reason, ...extra }, { view: true });
}

/** The supplier's answer to an attempt: it took the order, or declined it (the order routes on, unless its deadline has passed). */
export function onSupplierAnswered(draft: Draft, number: number, answer: SubmitResult): void {
  const attempt = draft.attempt(number);
  if (!attempt) return;
  stopSending(draft, number);
  if (answer.outcome === 'declined') {
    // A supplier that never received the request is not refusing the order: it may take a new attempt, after any other supplier.
    markDeclined(
      draft,
      attempt,
      answer.reason,
      'carrier-refusal',
      { tries: answer.tries },
      answer.neverReceived ? { restingUntil: draft.at + ROUTE_AGAIN_MS } : {},
    );
  } else if (attempt.state === 'sent') {
    takeAcceptance(draft, attempt, answer);
  } else {
    // A FAILED result or a decision overtook this answer: it changes nothing, but for the status the activity wrote.
    const detail = { ...attemptDetail(attempt), carrierOrderId: answer.carrierOrderId, tries: answer.tries };
    if (answer.recorded && draft.machine.order.status === OrderStatus.PENDING)
      mirrorAcceptance(draft, attempt, detail, answer.carrierOrderId);
    else draft.record(OrderEvent.CARRIER_ACCEPTED, detail, { view: !answer.recorded });
  }
  routeOnIfDeclined(draft, number);
}

/** The attempt's supplier took it; the submit activity may have written that to the view already (`recorded`). */
function takeAcceptance(
  draft: Draft,
  attempt: SupplierAttempt,
  { carrierOrderId, tries, recorded = false }: Extract<SubmitResult, { outcome: 'accepted' }>,
): void {
  const { order } = draft.machine;
  draft.updateAttempt(attempt, { state: 'accepted' });
  order.supplierId = attempt.supplierId;
  order.carrierOrderId ??= carrierOrderId;
  const detail = { ...attemptDetail(attempt), carrierOrderId, tries };
  // Only a PENDING order shows PROCESSING: an escalated one stays with its operator.
  if (order.status === OrderStatus.PENDING)
    draft.moveTo(
      OrderStatus.PROCESSING,
      OrderEvent.CARRIER_ACCEPTED,
      detail,
      { carrierOrderId, supplierId: attempt.supplierId },
      { written: recorded },
    );
  else draft.record(OrderEvent.CARRIER_ACCEPTED, detail, { view: !recorded });
  if (draft.stage.name === 'sending')
    draft.stage = { name: 'awaiting-result', attempt: attempt.attempt, deadlineMs: draft.stage.deadlineMs };
}

/**
 * The submit activity moved a PENDING order's view to PROCESSING before the
 * supplier's FAILED result was stored (it would not have moved after it): the
 * order's status follows the view, as when the acceptance is taken first,
 * and the order routes on from PROCESSING.
 */
function mirrorAcceptance(
  draft: Draft,
  attempt: SupplierAttempt,
  detail: Record<string, unknown>,
  carrierOrderId: string,
): void {
  const fields = { carrierOrderId, supplierId: attempt.supplierId };
  draft.moveTo(OrderStatus.PROCESSING, OrderEvent.CARRIER_ACCEPTED, detail, fields, { written: true });
}

/** Every try of an attempt faulted: its outcome is unknown, never declined. */
export function onSupplierUnreachable(draft: Draft, number: number, error: string): void {
  const attempt = draft.attempt(number);
  draft.record(OrderEvent.CARRIER_UNREACHABLE, {
    error,
    ...(attempt && { attempt: attempt.attempt, supplierId: attempt.supplierId }),
  });
  if (!attempt) return;
  stopSending(draft, number);
  if (attempt.state === 'sent') draft.updateAttempt(attempt, { state: 'unknown' });
  const { stage } = draft;
  if (stage.name === 'sending' && attempt.state === 'sent') {
    draft.stage = { name: 'unknown', attempt: number, deadlineMs: stage.deadlineMs };
    draft.moveTo(OrderStatus.UNKNOWN, OrderEvent.OUTCOME_UNKNOWN);
  }
  routeOnIfDeclined(draft, number);
}

/** The submit activity of `number` has returned: after the deadline, the stage no longer waits for it. */
function stopSending(draft: Draft, number: number): void {
  const { stage } = draft;
  if ((stage.name === 'asking-supplier' || stage.name === 'escalated') && stage.sending === number) {
    const { sending: _done, ...rest } = stage;
    draft.stage = rest;
  }
}

/** Before the deadline, an attempt declined while it was being sent lets the order route on once its send has returned. */
function routeOnIfDeclined(draft: Draft, number: number): void {
  const { stage } = draft;
  if (stage.name === 'sending' && stage.attempt === number && draft.attempt(number)?.state === 'declined')
    route(draft, stage.deadlineMs);
}
