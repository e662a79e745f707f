/** How the order takes what the carrier says: its answer to a submission, its callbacks, its status endpoint. */
import { contradictionReason } from '../../shared/carrier-contradiction.ts';
import type { CarrierStatus, CarrierSubmission } from '../../shared/carrier-protocol.ts';
import { OrderEvent } from '../../shared/order-events.ts';
import { OrderStatus } from '../../shared/order-status.ts';
import type { CarrierCallback } from '../../shared/order-workflow.ts';
import type { Draft } from './draft.ts';
import { WORKFLOW_RECORDS_CARRIER_ANSWERS, type MachineEvent } from './state.ts';
import { applyRoutedCallback, markDeclined, openAttempt } from './supplier-rules.ts';

/** A submission answered: accepted (the carrier works on it) or refused (a business answer: the order fails). */
export function applyCarrierAnswer(draft: Draft, answer: CarrierSubmission & { attempt?: number }): void {
  draft.machine.submission = 'answered';
  const event = answer.outcome === 'accepted' ? OrderEvent.CARRIER_ACCEPTED : OrderEvent.CARRIER_REFUSED;
  const detail = { round: draft.machine.order.round, ...answer };
  const view = { since: WORKFLOW_RECORDS_CARRIER_ANSWERS } as const;
  if (draft.status === OrderStatus.PENDING) {
    const fields = answer.outcome === 'accepted' ? { carrierOrderId: answer.carrierOrderId } : {};
    draft.moveTo(OrderStatus.PROCESSING, event, detail, fields, view.since);
  } else {
    draft.record(event, detail, view);
  }
  if (answer.outcome === 'accepted') draft.machine.order.carrierOrderId ??= answer.carrierOrderId;
  else draft.settle({ status: OrderStatus.FAILED, reason: answer.reason, resolvedBy: 'carrier-refusal' });
}

/** The first result decides; a repeat is ignored; a contradiction never overrides the decision but flags the order for review. */
export function applyCallback(draft: Draft, callback: CarrierCallback): void {
  const { requestId } = callback;
  if (draft.machine.routing && requestId !== undefined && applyRoutedCallback(draft, { ...callback, requestId })) return;
  const decided = draft.outcome;
  if (!decided) {
    draft.record(OrderEvent.CALLBACK_RECEIVED, {
      callbackId: callback.callbackId,
      status: callback.status,
      ...(callback.supplierId !== undefined && { supplierId: callback.supplierId }),
    });
    draft.machine.order.carrierOrderId ??= callback.carrierOrderId;
    const status = callback.status === 'SUCCESS' ? OrderStatus.SUCCEEDED : OrderStatus.FAILED;
    // A callback without a request id (sent to /callbacks/carrier) is about the attempt under way.
    const attempt = requestId !== undefined ? draft.machine.order.attempts?.find((a) => a.requestId === requestId) : draft.machine.routing ? openAttempt(draft.machine) : undefined;
    if (attempt && status === OrderStatus.FAILED) markDeclined(draft, attempt, callback.reason ?? 'the supplier reported FAILED', 'carrier-callback');
    draft.settle({
      status,
      carrierOrderId: callback.carrierOrderId,
      ...(callback.reason !== undefined && { reason: callback.reason }),
      resolvedBy: 'carrier-callback',
      ...(attempt && status === OrderStatus.SUCCEEDED && { supplierId: attempt.supplierId }),
    });
    return;
  }
  const reason = contradictionReason(decided, callback);
  if (!reason) {
    draft.record(OrderEvent.CALLBACK_IGNORED, { reason: 'repeat of the decided outcome', callbackId: callback.callbackId });
    return;
  }
  draft.machine.order.reviewReason = reason;
  draft.record(OrderEvent.CONTRADICTION_FLAGGED, { callbackId: callback.callbackId, reason });
  draft.command({ type: 'flag-for-review', reason });
}

type StatusEvent = Extract<MachineEvent, { type: 'status-answered' | 'status-unavailable' }>;

/** The status endpoint's answer (or its silence): a final answer decides; then the deadline escalates, or the operator's retry goes on. */
export function applyStatusAnswer(draft: Draft, event: StatusEvent): void {
  const answer = event.type === 'status-answered' ? event.answer : undefined;
  const attempt = event.attempt === undefined ? undefined : draft.machine.order.attempts?.find((a) => a.attempt === event.attempt);
  const supplier = attempt && { attempt: attempt.attempt, supplierId: attempt.supplierId };
  if (answer) draft.record(OrderEvent.CARRIER_STATUS_QUERIED, { purpose: event.purpose, ...supplier, ...answer });
  else if (event.type === 'status-unavailable') draft.record(OrderEvent.CARRIER_STATUS_UNAVAILABLE, { purpose: event.purpose, ...supplier, error: event.error });
  if (attempt && (answer?.state === 'FAILED' || answer?.state === 'NOT_FOUND')) {
    markDeclined(draft, attempt, answer.state === 'FAILED' ? answer.reason : 'the supplier never received the request', 'carrier-status');
  }
  if (answer?.state === 'SUCCESS')
    draft.settle({ status: OrderStatus.SUCCEEDED, carrierOrderId: answer.carrierOrderId, resolvedBy: 'carrier-status', ...(attempt && { supplierId: attempt.supplierId }) });
  if (answer?.state === 'FAILED') draft.settle({ status: OrderStatus.FAILED, carrierOrderId: answer.carrierOrderId, reason: answer.reason, resolvedBy: 'carrier-status' });
  if (event.purpose === 'sla-deadline') escalateIfOpen(draft);
  else concludeRetryCheck(draft, answer);
}

/**
 * The SLA deadline: ask the carrier (a routed order: the supplier of its open
 * attempt) for the status. A routed order no supplier has is escalated at once.
 */
export function applyDeadline(draft: Draft): void {
  if (draft.stage.name !== 'awaiting-result') return;
  draft.stage = { name: 'asking-carrier' };
  if (!draft.machine.routing) return draft.command({ type: 'ask-carrier', purpose: 'sla-deadline' });
  const attempt = openAttempt(draft.machine);
  if (attempt) return draft.command({ type: 'ask-carrier', purpose: 'sla-deadline', attempt });
  draft.machine.submission = 'answered';
  escalateIfOpen(draft);
}

/** No final answer by the deadline: an operator takes over. */
function escalateIfOpen(draft: Draft): void {
  if (draft.stage.name !== 'asking-carrier') return;
  const escalatedAt = draft.iso();
  draft.machine.order.escalatedAt = escalatedAt;
  draft.moveTo(OrderStatus.ESCALATED, OrderEvent.ESCALATED, { round: draft.machine.order.round }, { escalatedAt });
  draft.stage = { name: 'escalated', retry: { state: 'none' } };
  const { orderId, merchantId, merchantOrderNo, carrier, amountYuan } = draft.machine.facts;
  draft.command({ type: 'announce-escalation', alert: { orderId, ...(merchantId !== undefined && { merchantId }), merchantOrderNo, carrier, amountYuan, escalatedAt } });
}

/** An operator's retry is re-submitted only when the carrier says it never got the order (same request id, so never charged twice). */
function concludeRetryCheck(draft: Draft, answer: CarrierStatus | undefined): void {
  const decided = draft.outcome;
  if (decided) {
    draft.command({
      type: 'reply',
      result: { status: decided.status, message: `not re-submitted: the carrier's status endpoint answered ${answer?.state}, which decided the order` },
    });
    return;
  }
  const { stage } = draft;
  if (stage.name !== 'escalated' || stage.retry.state !== 'checking') return;
  const { request } = stage.retry;
  if (answer?.state === 'NOT_FOUND') {
    draft.stage = { name: 'escalated', retry: { state: 'cleared', request } };
    const how = draft.machine.routing ? 'routed again as a new attempt' : 're-submitted with the same request id';
    draft.command({ type: 'reply', result: { status: OrderStatus.PROCESSING, message: `the carrier never received the order; ${how}` } });
    return;
  }
  const why = answer ? `the carrier already has the order (${answer.state})` : 'the carrier status endpoint could not be reached';
  draft.stage = { name: 'escalated', retry: { state: 'none' } };
  draft.record(OrderEvent.OPERATOR_RETRY_NOT_RESUBMITTED, { operator: request.operator, reason: why }, {});
  draft.command({ type: 'reply', result: { status: draft.status, message: `not re-submitted: ${why}` } });
}
