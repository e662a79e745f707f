import {
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  metricMeter,
  patched,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { RecordTransitionInput } from '../activities/order-view.ts';
import type { CarrierStatus } from '../shared/carrier-protocol.ts';
import { malformedDecision, type DecisionResult, type OperatorDecision, type RetryRequest } from '../shared/operator-actions.ts';
import { OrderStatus } from '../shared/order-status.ts';
import {
  carrierCallbackSignal,
  operatorDecisionSignal,
  orderStateQuery,
  resolveOrderUpdate,
  retryOrderUpdate,
  type OrderOutcome,
  type OrderState,
  type RechargeOrderInput,
} from '../shared/order-workflow.ts';
import {
  EscalatedAtAttribute,
  FinishedAtAttribute,
  NeedsReviewAttribute,
  OrderStatusAttribute,
  newOrderSearchAttributes,
} from '../shared/search-attributes.ts';
import { alerts, carrier, money, view } from './activity-stubs.ts';
import { deliverNotification } from './merchant-notification.ts';

/** After an operator's decision the order stays open this long, so a contradicting late callback is caught and flagged. */
const LATE_CALLBACK_WINDOW = '24h';
/** The timeline carried over by continue-as-new; the full history stays in the order view. */
const CARRIED_TIMELINE_ENTRIES = 50;

/**
 * One recharge order: submit to the carrier, wait for its callback until the
 * SLA deadline, then ask the carrier's status endpoint, and hand the order to
 * an operator (ESCALATED) if the outcome is still open. The order finishes
 * only on a final answer from the carrier or an operator's decision; a FAILED
 * order is then refunded (its cost was debited when it was accepted), and the
 * merchant is told.
 */
export async function rechargeOrder(input: RechargeOrderInput): Promise<OrderOutcome> {
  const state: OrderState = input.resumed?.state ?? {
    orderId: input.orderId,
    merchantOrderNo: input.merchantOrderNo,
    status: OrderStatus.PENDING,
    round: 1,
    timeline: [],
  };
  let eventSeq = input.resumed?.eventSeq ?? 0;
  let outcome: OrderOutcome | undefined;
  /** An operator retry the carrier has cleared (it never got the order), until the main loop has re-submitted it. */
  let clearedRetry: RetryRequest | undefined;
  let retryChecking = false;
  let pendingAlert: Promise<void> | undefined;
  // Held in an object: it changes inside callbacks, where TypeScript's narrowing cannot follow.
  const submission = { state: 'none' as 'none' | 'running' | 'done' | 'failed' };

  const note = (type: string, detail?: Record<string, unknown>) => state.timeline.push({ at: new Date().toISOString(), type, ...(detail && { detail }) });
  const settle = (result: OrderOutcome) => {
    if (outcome) return;
    outcome = result;
    note('outcome-decided', { ...result });
  };

  // Orders started by the API carry these from the start; any other start gets them here.
  if (!input.resumed && workflowInfo().typedSearchAttributes.get(OrderStatusAttribute) === undefined) {
    upsertSearchAttributes(newOrderSearchAttributes(input));
  }

  /**
   * Order-view writes (local activities) run one at a time, in the order the
   * workflow asked for them: handlers write too, and local activities running
   * side by side would complete in an order a replay cannot reproduce.
   */
  let viewWrites: Promise<unknown> = Promise.resolve();
  function writeView<T>(write: () => Promise<T>): Promise<T> {
    const result = viewWrites.then(write);
    viewWrites = result.catch(() => undefined);
    return result;
  }

  /** Writes a status change to the order view, then to the workflow state and its search attributes. */
  async function moveTo(to: OrderStatus, eventType: string, extra: Omit<RecordTransitionInput, 'orderId' | 'to' | 'eventKey' | 'eventType'> = {}) {
    const eventKey = `workflow:${++eventSeq}`;
    await writeView(() => view.recordTransition({ orderId: input.orderId, to, eventKey, eventType, ...extra }));
    setStatus(to);
    note(eventType, { status: to, ...extra.detail });
  }
  function setStatus(to: OrderStatus) {
    state.status = to;
    upsertSearchAttributes([{ key: OrderStatusAttribute, value: to }]);
  }

  /** Why an operator decision cannot be applied now, or undefined. */
  function refusal(decision: OperatorDecision): string | undefined {
    const malformed = malformedDecision(decision);
    if (malformed) return malformed;
    if (outcome) return `order is already decided: ${outcome.status} (${outcome.resolvedBy})`;
    if (state.status !== OrderStatus.ESCALATED) return `order is ${state.status}; operators decide ESCALATED orders`;
    // While a submission is in flight its outcome is open: deciding now could contradict a charge under way.
    if (submission.state === 'running') return 'a submission to the carrier is still in progress; wait for its answer';
    // Until a retry has been checked and re-submitted, any decision could race it.
    if (retryChecking || clearedRetry) return 'a retry is under way; wait for its outcome';
    return undefined;
  }

  /** Records an operator's action (who, what, why) in the order view's history. */
  async function recordOperatorEvent(type: string, detail: Record<string, unknown>) {
    const eventKey = `workflow:${++eventSeq}`;
    await writeView(() => view.recordEvent({ orderId: input.orderId, eventKey, type, detail }));
  }

  /** Applies a decision that passed `refusal`; the state changes before any await, so a racing decision is refused. */
  async function applyDecision(decision: OperatorDecision): Promise<DecisionResult> {
    note('operator-decision', { ...decision });
    if (decision.action === 'resolve') {
      settle({ status: decision.outcome, reason: `operator ${decision.operator}: ${decision.note}`, resolvedBy: 'operator' });
      await recordOperatorEvent('operator-resolved', { ...decision });
      return { status: decision.outcome, message: `resolved ${decision.outcome} by ${decision.operator}` };
    }
    retryChecking = true;
    try {
      await recordOperatorEvent('operator-retry-requested', { ...decision });
      const status = await checkCarrierStatus('operator-retry');
      if (outcome) return { status: outcome.status, message: `not re-submitted: the carrier's status endpoint answered ${status?.state}, which decided the order` };
      if (status?.state === 'NOT_FOUND') {
        clearedRetry = { operator: decision.operator, ...(decision.note !== undefined && { note: decision.note }) };
        return { status: OrderStatus.PROCESSING, message: 'the carrier never received the order; re-submitted with the same request id' };
      }
      const why = status ? `the carrier already has the order (${status.state})` : 'the carrier status endpoint could not be reached';
      note('retry-refused', { operator: decision.operator, reason: why });
      await recordOperatorEvent('operator-retry-not-resubmitted', { operator: decision.operator, reason: why });
      return { status: state.status, message: `not re-submitted: ${why}` };
    } finally {
      retryChecking = false;
    }
  }

  function assertAcceptable(decision: OperatorDecision) {
    const reason = refusal(decision);
    if (reason) throw new Error(reason);
  }

  setHandler(orderStateQuery, () => state);

  setHandler(carrierCallbackSignal, async (callback) => {
    const status = callback.status === 'SUCCESS' ? OrderStatus.SUCCEEDED : OrderStatus.FAILED;
    if (!outcome) {
      note('callback-received', { callbackId: callback.callbackId, status: callback.status });
      state.carrierOrderId ??= callback.carrierOrderId;
      settle({ status, carrierOrderId: callback.carrierOrderId, ...(callback.reason !== undefined && { reason: callback.reason }), resolvedBy: 'carrier-callback' });
      return;
    }
    if (status === outcome.status) {
      note('callback-ignored', { reason: 'repeat of the decided outcome', callbackId: callback.callbackId });
      return;
    }
    // Never silently overridden: the decision stands, an operator is asked to look.
    const decided = `carrier reported ${callback.status} (callback ${callback.callbackId}) after the order was decided ${outcome.status} by ${outcome.resolvedBy}`;
    // A FAILED order is refunded as soon as it is decided; if the carrier did credit the phone, that money is owed back.
    const reason = outcome.status === OrderStatus.FAILED ? `${decided}; the order's cost was refunded: if the phone was credited, recover it with a ledger adjustment` : decided;
    state.reviewReason = reason;
    note('contradiction', { callbackId: callback.callbackId, reason });
    upsertSearchAttributes([{ key: NeedsReviewAttribute, value: true }]);
    log.warn('Carrier contradicts a decided order', { orderId: input.orderId, reason });
    const eventKey = `workflow:${++eventSeq}`;
    await writeView(() => view.flagForReview({ orderId: input.orderId, reason, eventKey }));
  });

  // The action comes last, so a payload cannot turn one Update into the other.
  setHandler(resolveOrderUpdate, (request) => applyDecision({ ...request, action: 'resolve' }), {
    validator: (request) => assertAcceptable({ ...request, action: 'resolve' }),
  });
  setHandler(retryOrderUpdate, (request) => applyDecision({ ...request, action: 'retry' }), {
    validator: (request) => assertAcceptable({ ...request, action: 'retry' }),
  });
  setHandler(operatorDecisionSignal, async (decision) => {
    const reason = refusal(decision);
    if (reason) {
      note('decision-refused', { ...decision, reason });
      await recordOperatorEvent('operator-decision-refused', { ...decision, reason });
      return;
    }
    await applyDecision(decision);
  });

  /**
   * Submits in the background, so the SLA timer runs while the carrier call
   * is being retried. Never cancelled: an attempt in flight may already have
   * reached the carrier, and a later answer cannot change a decided outcome.
   */
  function startSubmission() {
    submission.state = 'running';
    const request = { orderId: input.orderId, phone: input.phone, carrier: input.carrier, amountYuan: input.amountYuan, round: state.round };
    carrier.submitRecharge(request).then(
      (answer) => {
        submission.state = 'done';
        note(`carrier-${answer.outcome}`, { ...answer });
        if (state.status === OrderStatus.PENDING) setStatus(OrderStatus.PROCESSING); // the activity wrote it to the view
        if (answer.outcome === 'accepted') state.carrierOrderId ??= answer.carrierOrderId;
        else settle({ status: OrderStatus.FAILED, reason: answer.reason, resolvedBy: 'carrier-refusal' });
      },
      (error: unknown) => {
        submission.state = 'failed';
        if (!isCancellation(error)) note('carrier-unreachable', { error: String(error) });
      },
    );
  }

  /**
   * Asks the carrier's status endpoint; a final answer settles the order.
   * Undefined when the endpoint cannot be reached either: no answer, which
   * escalates rather than fails the order.
   */
  async function checkCarrierStatus(purpose: 'sla-deadline' | 'operator-retry'): Promise<CarrierStatus | undefined> {
    let answer: CarrierStatus;
    try {
      answer = await carrier.queryCarrierStatus({ orderId: input.orderId, eventKey: `workflow:${++eventSeq}`, purpose });
    } catch (error) {
      if (isCancellation(error)) throw error;
      note('carrier-status-unavailable', { purpose, error: String(error) });
      return undefined;
    }
    note('carrier-status', { purpose, ...answer });
    if (answer.state === 'SUCCESS') settle({ status: OrderStatus.SUCCEEDED, carrierOrderId: answer.carrierOrderId, resolvedBy: 'carrier-status' });
    if (answer.state === 'FAILED') settle({ status: OrderStatus.FAILED, carrierOrderId: answer.carrierOrderId, reason: answer.reason, resolvedBy: 'carrier-status' });
    return answer;
  }

  /** Waits for a final result until the deadline; an exhausted submission makes the outcome UNKNOWN, never FAILED. */
  async function awaitResult(deadlineMs: number) {
    while (!outcome) {
      const remaining = deadlineMs - Date.now();
      if (remaining <= 0) return;
      const unknownNow = () => submission.state === 'failed' && state.status !== OrderStatus.UNKNOWN;
      if (!(await condition(() => outcome !== undefined || unknownNow(), remaining))) return;
      if (!outcome && unknownNow()) await moveTo(OrderStatus.UNKNOWN, 'outcome-unknown');
    }
  }

  async function escalate() {
    const escalatedAt = new Date();
    state.escalatedAt = escalatedAt.toISOString();
    await moveTo(OrderStatus.ESCALATED, 'escalated', { escalatedAt: state.escalatedAt, detail: { round: state.round } });
    upsertSearchAttributes([{ key: EscalatedAtAttribute, value: escalatedAt }]);
    metricMeter.createCounter('recharge_order_escalations', 'orders', 'Orders handed to an operator').add(1, { carrier: input.carrier });
    const alert = {
      orderId: input.orderId,
      ...(input.merchantId !== undefined && { merchantId: input.merchantId }),
      merchantOrderNo: input.merchantOrderNo,
      carrier: input.carrier,
      amountYuan: input.amountYuan,
      escalatedAt: state.escalatedAt,
    };
    // Not awaited: a failing alert channel must not hold the order up.
    pendingAlert = alerts.raiseEscalationAlert(alert).catch((error: unknown) => void note('alert-failed', { error: String(error) }));
  }

  /**
   * Waits for a late callback or an operator; returns true when an operator
   * retry was cleared to re-submit. Continues as new when the history grows
   * long, so an order can wait for days.
   */
  async function awaitOperator(): Promise<boolean> {
    await condition(() => outcome !== undefined || clearedRetry !== undefined || (workflowInfo().continueAsNewSuggested && !retryChecking && submission.state !== 'running'));
    if (outcome) return false;
    if (clearedRetry) return true;
    await condition(allHandlersFinished);
    await pendingAlert; // an alert must not be lost to the new run
    note('continued-as-new');
    const carried = { ...state, timeline: state.timeline.slice(-CARRIED_TIMELINE_ENTRIES) };
    return continueAsNew<typeof rechargeOrder>({ ...input, resumed: { state: carried, eventSeq } });
  }

  let deadlineMs = Date.parse(input.submittedAt) + input.slaSeconds * 1000;
  if (!input.resumed) startSubmission();
  for (;;) {
    if (state.status !== OrderStatus.ESCALATED) {
      await awaitResult(deadlineMs);
      if (!outcome) await checkCarrierStatus('sla-deadline');
      if (outcome) break;
      await escalate();
    }
    if (!(await awaitOperator())) break;
    state.round += 1;
    await moveTo(OrderStatus.PROCESSING, 'operator-retry', { detail: { round: state.round, ...clearedRetry } });
    if (outcome) break; // a callback decided the order during the write: nothing to re-submit
    deadlineMs = Date.now() + input.slaSeconds * 1000;
    startSubmission();
    clearedRetry = undefined;
  }

  const result = outcome as OrderOutcome; // the loop above only exits with an outcome
  await moveTo(result.status, 'finished', {
    finishedAt: new Date().toISOString(),
    resolvedBy: result.resolvedBy,
    detail: { ...result },
    ...(result.carrierOrderId && { carrierOrderId: result.carrierOrderId }),
    ...(result.status === OrderStatus.FAILED && result.reason && { failureReason: result.reason }),
  });
  if (result.status === OrderStatus.FAILED) {
    state.failureReason = result.reason;
    // The saga's compensation: the merchant paid up front, a failed order gives it back (once: the ledger keys refunds by order).
    // Behind a patch, as orders that failed before refunds existed must replay without it.
    if (patched('refund-failed-orders')) {
      const refund = await money.refundOrder({ orderId: input.orderId });
      note('refund', { ...refund });
    }
  }
  // In an upsert of its own: merging it into the status's would need a patch, and patched() upserts TemporalChangeVersion, a write as costly.
  upsertSearchAttributes([{ key: FinishedAtAttribute, value: new Date() }]);
  await Promise.all([
    input.notifyUrl && deliverNotification(input.orderId).then((delivery) => void note('merchant-notification', { result: delivery })),
    // Open a while longer after an operator's decision, so a contradicting late callback is caught.
    result.resolvedBy === 'operator' && sleep(LATE_CALLBACK_WINDOW),
  ]);
  await condition(allHandlersFinished);
  return result;
}
