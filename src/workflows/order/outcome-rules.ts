/**
 * How an order's outcome is decided: by its supplier's callback, by the
 * supplier's status endpoint at the SLA deadline, or (escalated) by an
 * operator; and what follows: the final write, the refund of a FAILED order,
 * the merchant's notification. A decided outcome never changes: a
 * contradicting result flags the order for review.
 */
import { contradictionReason } from '../../shared/carrier-contradiction.ts';
import type { CarrierStatus } from '../../shared/carrier-protocol.ts';
import { OrderEvent } from '../../shared/order-events.ts';
import { OrderStatus } from '../../shared/order-status.ts';
import type { CarrierCallback, OrderOutcome, SupplierAttempt } from '../../shared/order-workflow.ts';
import type { Draft } from './draft.ts';
import { markDeclined, route } from './supplier-rules.ts';

/** After an operator's decision the order stays open this long, so a contradicting late callback is caught and flagged. */
export const LATE_CALLBACK_WINDOW_MS = 24 * 3600_000;

/**
 * Decides the outcome and writes it: the final status (with the supplier's
 * charge of a SUCCEEDED order), then the refund of a FAILED one (the saga's
 * compensation: the merchant paid up front) and the merchant's notification.
 */
export function finish(draft: Draft, outcome: OrderOutcome): void {
  const { order, facts } = draft.machine;
  const failed = outcome.status === OrderStatus.FAILED;
  const charged =
    outcome.supplierId === undefined
      ? undefined
      : order.attempts.filter((a) => a.supplierId === outcome.supplierId).at(-1);
  const { stage } = draft;
  // An operator's retry still waiting for its status answer learns that the order was decided meanwhile.
  if (stage.name === 'escalated' && stage.retry)
    draft.reply(stage.retry.replyTo, {
      status: outcome.status,
      message: 'not re-submitted: the order was decided meanwhile',
    });
  draft.record(OrderEvent.OUTCOME_DECIDED, { ...outcome });
  draft.moveTo(
    outcome.status,
    OrderEvent.FINISHED,
    { ...outcome },
    {
      finishedAt: draft.iso(),
      resolvedBy: outcome.resolvedBy,
      ...(outcome.carrierOrderId && { carrierOrderId: outcome.carrierOrderId }),
      ...(failed && outcome.reason && { failureReason: outcome.reason }),
      ...(charged && { supplierId: charged.supplierId, supplierCostFen: charged.costFen }),
    },
  );
  if (failed) order.failureReason = outcome.reason;
  draft.command({ type: 'mark-finished', outcome });
  const notifying = Boolean(facts.notifyUrl);
  if (failed) draft.command({ type: 'refund' });
  else if (notifying) draft.command({ type: 'notify-merchant' });
  draft.stage = {
    name: 'finished',
    outcome,
    refunding: failed,
    notifying,
    ...(outcome.resolvedBy === 'operator' && { lingerUntilMs: draft.at + LATE_CALLBACK_WINDOW_MS }),
  };
}

/** The refund went out: only now is the merchant told. */
export function onRefunded(draft: Draft, result: Record<string, unknown>): void {
  draft.record(OrderEvent.REFUNDED, result);
  if (draft.stage.name !== 'finished') return;
  draft.stage = { ...draft.stage, refunding: false };
  if (draft.stage.notifying) draft.command({ type: 'notify-merchant' });
}

/** No final answer by the deadline: an operator takes over. */
export function escalate(draft: Draft, sending?: number): void {
  const escalatedAt = draft.iso();
  const { order } = draft.machine;
  order.escalatedAt = escalatedAt;
  draft.moveTo(OrderStatus.ESCALATED, OrderEvent.ESCALATED, { round: order.round }, { escalatedAt });
  draft.stage = { name: 'escalated', alerting: true, ...(sending !== undefined && { sending }) };
  draft.command({ type: 'announce-escalation', escalatedAt });
}

/** The SLA deadline: ask the supplier of the open attempt for the status; with none open (every supplier declined, or none was free), escalate. */
export function onDeadline(draft: Draft): void {
  const { stage } = draft;
  const attempt = draft.openAttempt();
  const sending = stage.name === 'sending' ? stage.attempt : undefined;
  if (!attempt) return escalate(draft, sending);
  draft.stage = { name: 'asking-supplier', attempt: attempt.attempt, ...(sending !== undefined && { sending }) };
  draft.command({ type: 'ask-supplier', purpose: 'sla-deadline', attempt });
}

/** Records a status answer (or its absence) and what it says of the attempt. */
export function recordStatus(
  draft: Draft,
  attempt: SupplierAttempt | undefined,
  purpose: string,
  answer: CarrierStatus | undefined,
  error?: string,
): void {
  const supplier = attempt && { attempt: attempt.attempt, supplierId: attempt.supplierId };
  if (answer) draft.record(OrderEvent.CARRIER_STATUS_QUERIED, { purpose, ...supplier, ...answer });
  else draft.record(OrderEvent.CARRIER_STATUS_UNAVAILABLE, { purpose, ...supplier, error });
  // "Never received" while the attempt is still being sent says nothing yet: the request may still arrive
  // (a supplier takes it until its notAfter), and only the send's own answer then tells.
  const stillSending = 'sending' in draft.stage && draft.stage.sending === attempt?.attempt;
  if (attempt && (answer?.state === 'FAILED' || (answer?.state === 'NOT_FOUND' && !stillSending))) {
    markDeclined(
      draft,
      attempt,
      answer.state === 'FAILED' ? answer.reason : 'the supplier never received the request',
      'carrier-status',
    );
  }
}

/** A final status answer decides the order; true if it did. */
export function settleByStatus(
  draft: Draft,
  attempt: SupplierAttempt | undefined,
  answer: CarrierStatus | undefined,
): boolean {
  if (answer?.state === 'SUCCESS')
    finish(draft, {
      status: OrderStatus.SUCCEEDED,
      carrierOrderId: answer.carrierOrderId,
      resolvedBy: 'carrier-status',
      ...(attempt && { supplierId: attempt.supplierId }),
    });
  else if (answer?.state === 'FAILED')
    finish(draft, {
      status: OrderStatus.FAILED,
      carrierOrderId: answer.carrierOrderId,
      reason: answer.reason,
      resolvedBy: 'carrier-status',
    });
  else return false;
  return true;
}

/** The deadline's status answer: a final one decides; anything else escalates. */
export function onDeadlineStatus(
  draft: Draft,
  number: number,
  answer: CarrierStatus | undefined,
  error?: string,
): void {
  const { stage } = draft;
  if (stage.name !== 'asking-supplier') return;
  const attempt = draft.attempt(number);
  recordStatus(draft, attempt, 'sla-deadline', answer, error);
  if (!settleByStatus(draft, attempt, answer)) escalate(draft, stage.sending);
}

/**
 * A supplier's result. The first decides; a FAILED result before the
 * deadline only declines its attempt (the order routes on); for an attempt
 * its supplier had declined, a FAILED result is a repeat and a SUCCESS a
 * contradiction (the phone may now be credited twice).
 */
export function onCallback(draft: Draft, callback: CarrierCallback): void {
  const { stage } = draft;
  // A callback without a request id (sent to /callbacks/carrier) is about the attempt under way.
  const attempt =
    callback.requestId === undefined
      ? draft.openAttempt()
      : draft.machine.order.attempts.find((a) => a.requestId === callback.requestId);
  const ignore = (reason: string) =>
    draft.record(OrderEvent.CALLBACK_IGNORED, { reason, callbackId: callback.callbackId });
  if (callback.requestId !== undefined && !attempt)
    return ignore(`no attempt of this order has request id ${callback.requestId}`);
  if (attempt?.state === 'declined') return declinedAttemptCallback(draft, attempt, callback);
  if (stage.name === 'finished') return checkAgainstOutcome(draft, stage.outcome, callback);
  if (!attempt) return ignore('no attempt of this order is under way');
  draft.record(OrderEvent.CALLBACK_RECEIVED, {
    callbackId: callback.callbackId,
    status: callback.status,
    supplierId: attempt.supplierId,
  });
  draft.machine.order.carrierOrderId ??= callback.carrierOrderId;
  if (callback.status === 'SUCCESS') {
    return finish(draft, {
      status: OrderStatus.SUCCEEDED,
      carrierOrderId: callback.carrierOrderId,
      resolvedBy: 'carrier-callback',
      supplierId: attempt.supplierId,
    });
  }
  const reason = callback.reason ?? 'the supplier reported FAILED';
  markDeclined(draft, attempt, reason, 'carrier-callback', { callbackId: callback.callbackId });
  if (stage.name === 'awaiting-result' || stage.name === 'unknown') return route(draft, stage.deadlineMs);
  // Still being sent: it routes on once its send returns. After the deadline, a FAILED result decides.
  if (stage.name === 'asking-supplier' || stage.name === 'escalated')
    finish(draft, {
      status: OrderStatus.FAILED,
      carrierOrderId: callback.carrierOrderId,
      reason,
      resolvedBy: 'carrier-callback',
    });
}

function declinedAttemptCallback(draft: Draft, attempt: SupplierAttempt, callback: CarrierCallback): void {
  if (callback.status === 'FAILED') {
    return draft.record(OrderEvent.CALLBACK_IGNORED, {
      reason: `repeat: ${attempt.supplierId} had declined attempt ${attempt.attempt}`,
      callbackId: callback.callbackId,
    });
  }
  flag(
    draft,
    callback.callbackId,
    `supplier ${attempt.supplierId} reported SUCCESS (callback ${callback.callbackId}) for attempt ${attempt.attempt}, which it had declined; the order was routed on, so the phone may be credited twice`,
  );
}

/** A result after the decision: a repeat, or a contradiction an operator must review. */
function checkAgainstOutcome(draft: Draft, outcome: OrderOutcome, callback: CarrierCallback): void {
  const reason = contradictionReason(outcome, callback);
  if (reason) return flag(draft, callback.callbackId, reason);
  draft.record(OrderEvent.CALLBACK_IGNORED, {
    reason: 'repeat of the decided outcome',
    callbackId: callback.callbackId,
  });
}

function flag(draft: Draft, callbackId: string, reason: string): void {
  draft.machine.order.reviewReason = reason;
  draft.record(OrderEvent.CONTRADICTION_FLAGGED, { callbackId, reason });
  draft.command({ type: 'flag-for-review', reason });
}
