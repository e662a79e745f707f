import {
  CancellationScope,
  condition,
  isCancellation,
  log,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { CarrierStatus, CarrierSubmission } from '../shared/carrier-protocol.ts';
import { OrderStatus } from '../shared/order-status.ts';
import {
  carrierCallbackSignal,
  operatorDecisionSignal,
  orderStateQuery,
  type OperatorDecision,
  type OrderOutcome,
  type OrderState,
  type RechargeOrderInput,
} from '../shared/order-workflow.ts';

const carrier = proxyActivities<Activities>({
  // Above the carrier client's own HTTP timeout, so a hung call fails as a timeout of the call.
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 8 },
});

// The order view must catch up whatever happens, so these retry without limit.
const view = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '30s' },
});

/**
 * One recharge order: submit to the carrier, wait for its callback until the
 * SLA deadline, then ask the carrier's status endpoint, and hand the order to
 * an operator (ESCALATED) if the outcome is still open. The order finishes
 * only on a final answer from the carrier or an operator's decision.
 */
export async function rechargeOrder(input: RechargeOrderInput): Promise<OrderOutcome> {
  const state: OrderState = { orderId: input.orderId, merchantOrderNo: input.merchantOrderNo, status: OrderStatus.PENDING, round: 1, timeline: [] };
  let outcome: OrderOutcome | undefined;
  const decisions: OperatorDecision[] = [];
  // Held in an object: it changes inside callbacks, where TypeScript's narrowing cannot follow.
  const submission = { state: 'none' as 'none' | 'running' | 'done' | 'failed' };
  let eventSeq = 0;

  const note = (type: string, detail?: Record<string, unknown>) => state.timeline.push({ at: new Date().toISOString(), type, ...(detail && { detail }) });
  const settle = (result: OrderOutcome) => {
    if (outcome) return;
    outcome = result;
    note('outcome-decided', { ...result });
  };

  setHandler(orderStateQuery, () => state);

  setHandler(carrierCallbackSignal, (callback) => {
    if (outcome) {
      note('callback-ignored', { reason: 'order already decided', callbackId: callback.callbackId, status: callback.status });
      return;
    }
    note('callback-received', { callbackId: callback.callbackId, status: callback.status });
    state.carrierOrderId ??= callback.carrierOrderId;
    settle({
      status: callback.status === 'SUCCESS' ? OrderStatus.SUCCEEDED : OrderStatus.FAILED,
      carrierOrderId: callback.carrierOrderId,
      ...(callback.reason !== undefined && { reason: callback.reason }),
      resolvedBy: 'carrier-callback',
    });
  });

  setHandler(operatorDecisionSignal, (decision) => {
    if (outcome || state.status !== OrderStatus.ESCALATED) {
      note('decision-ignored', { ...decision, reason: outcome ? 'order already decided' : `order is ${state.status}, not ESCALATED` });
      return;
    }
    note('decision-received', { ...decision });
    decisions.push(decision);
  });

  /** Writes a status change to the order view, then to the workflow state. */
  async function moveTo(to: OrderStatus, eventType: string, extra: Omit<Parameters<Activities['recordTransition']>[0], 'orderId' | 'to' | 'eventKey' | 'eventType'> = {}) {
    await view.recordTransition({ orderId: input.orderId, to, eventKey: `workflow:${++eventSeq}`, eventType, ...extra });
    state.status = to;
    note(eventType, { status: to });
  }

  const submitScope = new CancellationScope();
  /** Submits in the background, so the SLA timer runs while the carrier call is being retried. */
  function startSubmission() {
    if (submission.state === 'running') return;
    submission.state = 'running';
    const request = { orderId: input.orderId, phone: input.phone, carrier: input.carrier, amountYuan: input.amountYuan, round: state.round };
    submitScope
      .run(() => carrier.submitRecharge(request))
      .then(
        (answer: CarrierSubmission) => {
          submission.state = 'done';
          note(`carrier-${answer.outcome}`, { ...answer });
          if (answer.outcome === 'accepted') state.carrierOrderId ??= answer.carrierOrderId;
          else settle({ status: OrderStatus.FAILED, reason: answer.reason, resolvedBy: 'carrier-refusal' });
        },
        (error: unknown) => {
          submission.state = 'failed';
          if (!isCancellation(error)) note('carrier-unreachable', { error: String(error) });
        },
      );
  }

  /** Asks the carrier's status endpoint; a final answer settles the order. */
  async function checkCarrierStatus(purpose: 'sla-deadline' | 'operator-retry'): Promise<CarrierStatus> {
    const answer = await carrier.queryCarrierStatus({ orderId: input.orderId, eventKey: `workflow:${++eventSeq}`, purpose });
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

  /** Waits for a late callback or an operator; returns true when the operator's retry was cleared to re-submit. */
  async function awaitOperator(): Promise<boolean> {
    for (;;) {
      await condition(() => outcome !== undefined || decisions.length > 0);
      const decision = decisions.shift();
      if (outcome || !decision) return false;
      if (decision.action === 'resolve') {
        settle({ status: decision.outcome, reason: `operator ${decision.operator}: ${decision.note}`, resolvedBy: 'operator' });
        return false;
      }
      const status = await checkCarrierStatus('operator-retry');
      if (outcome) return false;
      if (status.state === 'NOT_FOUND' && submission.state !== 'running') return true;
      note('retry-refused', { reason: status.state === 'NOT_FOUND' ? 'a submission is still in progress' : `carrier already has the order (${status.state})`, operator: decision.operator });
    }
  }

  let deadlineMs = Date.parse(input.submittedAt) + input.slaSeconds * 1000;
  startSubmission();
  for (;;) {
    await awaitResult(deadlineMs);
    if (!outcome) await checkCarrierStatus('sla-deadline');
    if (outcome) break;
    state.escalatedAt = new Date().toISOString();
    await moveTo(OrderStatus.ESCALATED, 'escalated', { escalatedAt: state.escalatedAt, detail: { round: state.round } });
    log.warn('Order escalated to an operator', { orderId: input.orderId, round: state.round });
    if (!(await awaitOperator())) break;
    state.round += 1;
    await moveTo(OrderStatus.PROCESSING, 'operator-retry', { detail: { round: state.round } });
    deadlineMs = Date.now() + input.slaSeconds * 1000;
    startSubmission();
  }

  const result = outcome as OrderOutcome; // the loop above only exits with an outcome
  if (submission.state === 'running') submitScope.cancel();
  await moveTo(result.status, 'finished', {
    finishedAt: new Date().toISOString(),
    detail: { ...result },
    ...(result.carrierOrderId && { carrierOrderId: result.carrierOrderId }),
    ...(result.status === OrderStatus.FAILED && result.reason && { failureReason: result.reason }),
  });
  if (result.status === OrderStatus.FAILED) state.failureReason = result.reason;
  return result;
}
