/** How an escalated order takes an operator's decision: resolve it, or retry it (routed again only if its supplier never got it). */
import { malformedDecision, type OperatorDecision, type RetryRequest } from '../../shared/operator-actions.ts';
import { OrderEvent } from '../../shared/order-events.ts';
import { OrderStatus } from '../../shared/order-status.ts';
import type { CarrierStatus } from '../../shared/carrier-protocol.ts';
import type { Draft } from './draft.ts';
import { finish, recordStatus, settleByStatus } from './outcome-rules.ts';
import type { OrderMachine } from './state.ts';
import { route } from './supplier-rules.ts';

/** Why an operator decision cannot be applied now, or undefined. */
export function refusalReason({ stage, order }: OrderMachine, decision: OperatorDecision): string | undefined {
  const malformed = malformedDecision(decision);
  if (malformed) return malformed;
  if (stage.name === 'finished')
    return `order is already decided: ${stage.outcome.status} (${stage.outcome.resolvedBy})`;
  if (stage.name !== 'escalated') return `order is ${order.status}; operators decide ESCALATED orders`;
  // While a submission is in flight its outcome is open: deciding now could contradict a charge under way.
  if (stage.sending !== undefined) return 'a submission to the carrier is still in progress; wait for its answer';
  // Until a retry has been checked and re-submitted, any decision could race it.
  if (stage.retry) return 'a retry is under way; wait for its outcome';
  return undefined;
}

/**
 * Applies a decision, or records why it was refused (an Update's refusal is
 * answered to the operator, and the admin API records it; a signal's is
 * recorded here). Every decision lands in the history with who and why.
 */
export function onOperatorDecision(draft: Draft, decision: OperatorDecision, replyTo?: string): void {
  const refusal = refusalReason(draft.machine, decision);
  if (refusal) {
    if (replyTo === undefined)
      draft.record(OrderEvent.OPERATOR_DECISION_REFUSED, { ...decision, reason: refusal }, { view: true });
    return draft.reply(replyTo, { refused: refusal });
  }
  if (decision.action === 'resolve') {
    const { outcome, operator, note } = decision;
    draft.record(OrderEvent.OPERATOR_RESOLVED, { ...decision }, { view: true });
    const supplierId = outcome === OrderStatus.SUCCEEDED ? draft.openAttempt()?.supplierId : undefined;
    finish(draft, {
      status: outcome,
      reason: `operator ${operator}: ${note}`,
      resolvedBy: 'operator',
      ...(supplierId !== undefined && { supplierId }),
    });
    return draft.reply(replyTo, { status: outcome, message: `resolved ${outcome} by ${operator}` });
  }
  const request = { operator: decision.operator, ...(decision.note !== undefined && { note: decision.note }) };
  draft.record(OrderEvent.OPERATOR_RETRY_REQUESTED, { ...decision }, { view: true });
  const attempt = draft.openAttempt();
  if (attempt && draft.stage.name === 'escalated') {
    // Re-submitting blindly could charge twice: first ask the supplier whether it ever got the order.
    draft.stage = {
      ...draft.stage,
      retry: { request, attempt: attempt.attempt, ...(replyTo !== undefined && { replyTo }) },
    };
    return draft.command({ type: 'ask-supplier', purpose: 'operator-retry', attempt });
  }
  // Every supplier asked has declined the order (or none was available): nothing can be credited twice.
  resubmit(draft, request);
  draft.reply(replyTo, { status: OrderStatus.PROCESSING, message: 'no supplier has the order; routed again' });
}

/** The answer to a retry's status question: re-submitted only when the supplier never got the order (never charged twice). */
export function onRetryStatus(draft: Draft, number: number, answer: CarrierStatus | undefined, error?: string): void {
  const { stage } = draft;
  const attempt = draft.attempt(number);
  recordStatus(draft, attempt, 'operator-retry', answer, error);
  if (stage.name !== 'escalated' || stage.retry?.attempt !== number) return;
  const { request, replyTo } = stage.retry;
  const { retry: _checked, ...idle } = stage;
  draft.stage = idle;
  if (answer?.state === 'SUCCESS' || answer?.state === 'FAILED') {
    draft.reply(replyTo, {
      status: answer.state === 'SUCCESS' ? OrderStatus.SUCCEEDED : OrderStatus.FAILED,
      message: `not re-submitted: the supplier's status endpoint answered ${answer.state}, which decided the order`,
    });
    settleByStatus(draft, attempt, answer);
    return;
  }
  if (answer?.state === 'NOT_FOUND') {
    resubmit(draft, request);
    return draft.reply(replyTo, {
      status: OrderStatus.PROCESSING,
      message: 'the supplier never received the order; routed again as a new attempt',
    });
  }
  const why = answer
    ? `the supplier already has the order (${answer.state})`
    : 'the supplier status endpoint could not be reached';
  draft.record(OrderEvent.OPERATOR_RETRY_NOT_RESUBMITTED, { operator: request.operator, reason: why }, { view: true });
  draft.reply(replyTo, { status: draft.machine.order.status, message: `not re-submitted: ${why}` });
}

/** A new round: a whole SLA of its own, routed among every supplier again. */
function resubmit(draft: Draft, request: RetryRequest): void {
  const { order, facts } = draft.machine;
  order.round += 1;
  draft.moveTo(OrderStatus.PROCESSING, OrderEvent.OPERATOR_RETRY_RESUBMITTED, { round: order.round, ...request });
  route(draft, draft.at + facts.slaSeconds * 1000);
}
