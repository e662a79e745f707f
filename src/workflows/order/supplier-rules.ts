/**
 * How a routed order moves among suppliers (orders started under the
 * `supplier-routing` patch). Each attempt goes to the supplier the router
 * picks; the order moves on to another only when the current one has
 * definitively not credited the phone. An unknown outcome is never failed
 * over: the submit activity asks the supplier's status first, and after every
 * try the order waits for the SLA deadline's status question, as before.
 */
import { OrderEvent } from '../../shared/order-events.ts';
import { OrderStatus } from '../../shared/order-status.ts';
import type { OrderOutcome, SupplierAttempt } from '../../shared/order-workflow.ts';
import type { RouteDecision, SkippedSupplier, SupplierAnswer } from '../../shared/suppliers.ts';
import type { Draft } from './draft.ts';
import type { OrderMachine } from './state.ts';

/** How long an order with no supplier available waits before routing again (within its SLA). */
export const ROUTE_AGAIN_MS = 10_000;

/** The latest attempt while its supplier may still credit the phone, if any. */
export function openAttempt(machine: OrderMachine): SupplierAttempt | undefined {
  const latest = machine.order.attempts?.at(-1);
  return latest && latest.state !== 'declined' ? latest : undefined;
}

/** Asks the router for the next attempt's supplier, leaving out those that declined the order in this round. */
export function route(draft: Draft): void {
  const { machine } = draft;
  const { orderId, carrier, amountYuan } = machine.facts;
  const attempts = (machine.order.attempts ?? []).filter((a) => a.round === machine.order.round && a.state === 'declined');
  const declined = attempts.filter((a) => a.declined?.restingUntil === undefined).map((a) => a.supplierId);
  const resting = attempts.filter((a) => (a.declined?.restingUntil ?? 0) > draft.at).map((a) => a.supplierId);
  machine.submission = 'running';
  draft.command({ type: 'route', input: { orderId, carrier, amountYuan, attempt: (machine.order.attempts?.length ?? 0) + 1, declined: [...new Set(declined)], resting } });
}

export function applyRouteDecision(draft: Draft, decision: RouteDecision): void {
  const { machine, stage } = draft;
  if (draft.outcome || stage.name !== 'awaiting-result') return;
  if (decision.kind === 'chosen') {
    draft.stage = { name: 'awaiting-result', deadlineMs: stage.deadlineMs };
    return send(draft, decision);
  }
  const skipped = decision.skipped.map(describe);
  if (decision.kind === 'none-left') {
    draft.record(OrderEvent.NO_SUPPLIER_LEFT, { skipped }, {});
    machine.submission = 'answered';
    const last = machine.order.attempts?.filter((a) => a.round === machine.order.round).at(-1)?.declined;
    const because = last
      ? { reason: last.reason, resolvedBy: last.resolvedBy }
      : { reason: `no supplier can take the order: ${skipped.join('; ')}`, resolvedBy: 'no-supplier' as const };
    draft.settle({ status: OrderStatus.FAILED, ...because });
    return;
  }
  // Written to the view once per wait, not at every re-route.
  draft.record(OrderEvent.SUPPLIER_UNAVAILABLE, { skipped }, stage.waitingForSupplier ? undefined : {});
  machine.submission = 'waiting-for-supplier';
  draft.stage = { ...stage, routeAgainAtMs: draft.at + ROUTE_AGAIN_MS, waitingForSupplier: true };
}

function send(draft: Draft, chosen: Extract<RouteDecision, { kind: 'chosen' }>): void {
  const { machine } = draft;
  const { orderId, phone, carrier, amountYuan } = machine.facts;
  const attempt: SupplierAttempt = {
    attempt: (machine.order.attempts?.length ?? 0) + 1,
    round: machine.order.round,
    supplierId: chosen.supplierId,
    requestId: chosen.requestId,
    taskQueue: chosen.taskQueue,
    costFen: chosen.costFen,
    ...(chosen.probe && { probe: true }),
    state: 'sent',
  };
  machine.order.attempts = [...(machine.order.attempts ?? []), attempt];
  draft.record(OrderEvent.SUPPLIER_CHOSEN, routeDetail(attempt, chosen));
  draft.command({
    type: 'submit-to-supplier',
    taskQueue: chosen.taskQueue,
    request: { orderId, supplierId: attempt.supplierId, requestId: attempt.requestId, phone, carrier, amountYuan, round: attempt.round, attempt: attempt.attempt },
  });
}

const describe = ({ supplierId, reason }: SkippedSupplier) => `${supplierId}: ${reason}`;

function routeDetail(attempt: SupplierAttempt, chosen?: Extract<RouteDecision, { kind: 'chosen' }>) {
  return {
    attempt: attempt.attempt,
    supplierId: attempt.supplierId,
    requestId: attempt.requestId,
    costFen: attempt.costFen,
    ...(attempt.probe && { probe: true }),
    ...(chosen && { skipped: chosen.skipped.map(describe) }),
  };
}

/** Replaces the attempt in the order (attempts are copied, never changed in place). */
function update(draft: Draft, attempt: SupplierAttempt, change: Partial<SupplierAttempt>): SupplierAttempt {
  const updated = { ...attempt, ...change };
  draft.machine.order.attempts = (draft.machine.order.attempts ?? []).map((a) => (a.attempt === attempt.attempt ? updated : a));
  return updated;
}

const attemptNumbered = (machine: OrderMachine, attempt: number) => machine.order.attempts?.find((a) => a.attempt === attempt);
const isLatest = (machine: OrderMachine, attempt: SupplierAttempt) => machine.order.attempts?.at(-1)?.attempt === attempt.attempt;

/** The supplier answered an attempt: it took the order, or declined it (the order routes on). */
export function applySupplierAnswer(draft: Draft, number: number, answer: SupplierAnswer & { tries: number }): void {
  const { machine } = draft;
  const attempt = attemptNumbered(machine, number);
  if (!attempt) return;
  const current = isLatest(machine, attempt) && attempt.state === 'sent';
  if (current) machine.submission = 'answered';
  // A FAILED callback declined this attempt while it was being sent: now the order can route on.
  else if (isLatest(machine, attempt) && machine.submission === 'running') machine.submission = 'due';
  if (answer.outcome === 'declined') {
    // A supplier that never received the request is not refusing the order: it may take a new attempt, after any other supplier.
    const resting = answer.neverReceived ? { restingUntil: draft.at + ROUTE_AGAIN_MS } : {};
    if (attempt.state !== 'declined') decline(draft, attempt, answer.reason, 'carrier-refusal', { tries: answer.tries }, resting);
    return;
  }
  const detail = { round: attempt.round, ...routeDetail(attempt), carrierOrderId: answer.carrierOrderId, tries: answer.tries };
  if (!current) {
    // A FAILED callback or a decision overtook this answer: it changes nothing.
    draft.record(OrderEvent.CARRIER_ACCEPTED, detail, {});
    return;
  }
  update(draft, attempt, { state: 'accepted' });
  machine.order.supplierId = attempt.supplierId;
  machine.order.carrierOrderId ??= answer.carrierOrderId;
  if (draft.status === OrderStatus.PENDING)
    draft.moveTo(OrderStatus.PROCESSING, OrderEvent.CARRIER_ACCEPTED, detail, { carrierOrderId: answer.carrierOrderId, supplierId: attempt.supplierId });
  else draft.record(OrderEvent.CARRIER_ACCEPTED, detail, {});
}

/** Every try of an attempt faulted: its outcome is unknown, never declined. */
export function applyAttemptUnknown(draft: Draft, number: number | undefined, error: string): void {
  const { machine } = draft;
  const attempt = number === undefined ? undefined : attemptNumbered(machine, number);
  draft.record(OrderEvent.CARRIER_UNREACHABLE, { error, ...(attempt && { attempt: attempt.attempt, supplierId: attempt.supplierId }) });
  if (!attempt || !isLatest(machine, attempt)) return;
  if (attempt.state !== 'sent') {
    if (machine.submission === 'running') machine.submission = 'due'; // declined by a FAILED callback meanwhile
    return;
  }
  update(draft, attempt, { state: 'unknown' });
  machine.submission = 'failed';
}

/** Records that the attempt's supplier has definitively not credited the phone, so a later SUCCESS from it is a contradiction. */
export function markDeclined(
  draft: Draft,
  attempt: SupplierAttempt,
  reason: string,
  resolvedBy: OrderOutcome['resolvedBy'],
  extra: Record<string, unknown> = {},
  resting: { restingUntil?: number } = {},
): SupplierAttempt {
  const declined = update(draft, attempt, { state: 'declined', declined: { reason, resolvedBy, ...resting } });
  draft.record(OrderEvent.SUPPLIER_DECLINED, { round: attempt.round, ...routeDetail(declined), reason, ...extra }, {});
  return declined;
}

/**
 * The supplier has definitively not credited the phone. Before the SLA
 * deadline the order routes to another supplier; after it, the order is
 * handled as before suppliers (an operator's retry routes it again).
 */
export function decline(
  draft: Draft,
  attempt: SupplierAttempt,
  reason: string,
  resolvedBy: OrderOutcome['resolvedBy'],
  extra: Record<string, unknown> = {},
  resting: { restingUntil?: number } = {},
): void {
  const declined = markDeclined(draft, attempt, reason, resolvedBy, extra, resting);
  const { machine } = draft;
  if (draft.outcome || draft.stage.name !== 'awaiting-result' || !isLatest(machine, declined)) return;
  if (machine.submission !== 'running') machine.submission = 'due';
}

/**
 * A callback of a routed order. A result for an attempt the supplier had
 * declined is a repeat (FAILED) or a contradiction (SUCCESS: the phone may now
 * be credited twice); a FAILED result before the deadline fails over. Returns
 * false when the order takes it as it took every callback before suppliers.
 */
export function applyRoutedCallback(draft: Draft, callback: { requestId: string; status: 'SUCCESS' | 'FAILED'; callbackId: string; reason?: string }): boolean {
  const { machine } = draft;
  const attempt = machine.order.attempts?.find((a) => a.requestId === callback.requestId);
  if (!attempt) {
    draft.record(OrderEvent.CALLBACK_IGNORED, { reason: `no attempt of this order has request id ${callback.requestId}`, callbackId: callback.callbackId });
    return true;
  }
  if (attempt.state === 'declined') {
    if (callback.status === 'FAILED') {
      draft.record(OrderEvent.CALLBACK_IGNORED, { reason: `repeat: ${attempt.supplierId} had declined attempt ${attempt.attempt}`, callbackId: callback.callbackId });
      return true;
    }
    const reason = `supplier ${attempt.supplierId} reported SUCCESS (callback ${callback.callbackId}) for attempt ${attempt.attempt}, which it had declined; the order was routed on, so the phone may be credited twice`;
    draft.machine.order.reviewReason = reason;
    draft.record(OrderEvent.CONTRADICTION_FLAGGED, { callbackId: callback.callbackId, reason });
    draft.command({ type: 'flag-for-review', reason });
    return true;
  }
  if (callback.status === 'FAILED' && !draft.outcome && draft.stage.name === 'awaiting-result') {
    draft.record(OrderEvent.CALLBACK_RECEIVED, { callbackId: callback.callbackId, status: callback.status, supplierId: attempt.supplierId });
    decline(draft, attempt, callback.reason ?? 'the supplier reported FAILED', 'carrier-callback', { callbackId: callback.callbackId });
    return true;
  }
  return false;
}
