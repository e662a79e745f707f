/** How the order takes an operator's decision on an escalated order: resolve it, or retry it. */
import type { OperatorDecision } from '../../shared/operator-actions.ts';
import { OrderEvent } from '../../shared/order-events.ts';
import { OrderStatus } from '../../shared/order-status.ts';
import type { Draft } from './draft.ts';
import { openAttempt } from './supplier-rules.ts';

/**
 * Applies a decision, or records why it was refused (`refusal`, from
 * refusalReason: Updates are refused by their validator before they get
 * here, signals only here). Every decision lands in the history with who and why.
 */
export function applyOperatorDecision(draft: Draft, decision: OperatorDecision, refusal: string | undefined): void {
  if (refusal) {
    draft.record(OrderEvent.OPERATOR_DECISION_REFUSED, { ...decision, reason: refusal }, {});
    return;
  }
  if (decision.action === 'resolve') {
    draft.record(OrderEvent.OPERATOR_RESOLVED, { ...decision }, {});
    const supplierId = decision.outcome === 'SUCCEEDED' ? openAttempt(draft.machine)?.supplierId : undefined;
    draft.settle({ status: decision.outcome, reason: `operator ${decision.operator}: ${decision.note}`, resolvedBy: 'operator', ...(supplierId !== undefined && { supplierId }) });
    draft.command({ type: 'reply', result: { status: decision.outcome, message: `resolved ${decision.outcome} by ${decision.operator}` } });
    return;
  }
  const request = { operator: decision.operator, ...(decision.note !== undefined && { note: decision.note }) };
  draft.stage = { name: 'escalated', retry: { state: 'checking', request } };
  draft.record(OrderEvent.OPERATOR_RETRY_REQUESTED, { ...decision }, {});
  if (!draft.machine.routing) {
    // Re-submitting blindly could charge twice: first ask the carrier whether it ever got the order.
    draft.command({ type: 'ask-carrier', purpose: 'operator-retry' });
    return;
  }
  const attempt = openAttempt(draft.machine);
  if (attempt) {
    draft.command({ type: 'ask-carrier', purpose: 'operator-retry', attempt });
    return;
  }
  // Every supplier asked has declined the order (or none was available): nothing can be credited twice.
  draft.stage = { name: 'escalated', retry: { state: 'cleared', request } };
  draft.command({ type: 'reply', result: { status: OrderStatus.PROCESSING, message: 'no supplier has the order; routed again' } });
}
