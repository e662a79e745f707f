/** The steps the workflow's main loop takes over time, when `nextStep` says one is due. */
import { OrderEvent } from '../../shared/order-events.ts';
import { OrderStatus } from '../../shared/order-status.ts';
import type { Draft } from './draft.ts';
import type { OrderOutcome } from '../../shared/order-workflow.ts';
import type { LoopStep, OrderMachine } from './state.ts';
import { route } from './supplier-rules.ts';

/** After an operator's decision the order stays open this long, so a contradicting late callback is caught and flagged. */
export const LATE_CALLBACK_WINDOW = '24h';

export function applyLoopStep(draft: Draft, step: LoopStep): void {
  const { machine, stage } = draft;
  switch (step) {
    case 'submit':
      if (stage.name !== 'awaiting-result' || machine.submission !== 'due') return;
      if (machine.routing) route(draft);
      else submit(draft);
      return;
    case 'mark-unknown':
      if (stage.name === 'awaiting-result') draft.moveTo(OrderStatus.UNKNOWN, OrderEvent.OUTCOME_UNKNOWN);
      return;
    case 'resubmit':
      if (stage.name !== 'escalated' || stage.retry.state !== 'cleared') return;
      machine.order.round += 1;
      draft.moveTo(OrderStatus.PROCESSING, OrderEvent.OPERATOR_RETRY_RESUBMITTED, { round: machine.order.round, ...stage.retry.request });
      // A re-submission gets a whole SLA of its own; the first submission's counts from acceptance.
      draft.stage = { name: 'awaiting-result', deadlineMs: draft.at + machine.facts.slaSeconds * 1000 };
      machine.submission = 'due';
      return;
    case 'finish':
      finish(draft);
      return;
  }
}

/** Sends the round's submission. */
function submit(draft: Draft): void {
  const { machine } = draft;
  const { orderId, phone, carrier, amountYuan } = machine.facts;
  machine.submission = 'running';
  draft.command({ type: 'submit', request: { orderId, phone, carrier, amountYuan, round: machine.order.round } });
}

/**
 * Writes the final status, gives a FAILED order's cost back (the saga's
 * compensation: the merchant paid up front), marks it finished and tells the
 * merchant; after an operator's decision, stays open for late callbacks.
 */
function finish(draft: Draft): void {
  const { stage, machine } = draft;
  if (stage.name !== 'decided') return;
  const { outcome } = stage;
  const failed = outcome.status === OrderStatus.FAILED;
  draft.moveTo(
    outcome.status,
    OrderEvent.FINISHED,
    { ...outcome },
    {
      finishedAt: draft.iso(),
      resolvedBy: outcome.resolvedBy,
      ...(outcome.carrierOrderId && { carrierOrderId: outcome.carrierOrderId }),
      ...(failed && outcome.reason && { failureReason: outcome.reason }),
      ...supplierCharge(machine, outcome),
    },
  );
  if (failed) {
    machine.order.failureReason = outcome.reason;
    draft.command({ type: 'refund' });
  }
  draft.command({ type: 'mark-finished', outcome });
  const notifying = Boolean(machine.facts.notifyUrl);
  if (notifying) draft.command({ type: 'notify-merchant' });
  if (outcome.resolvedBy === 'operator') draft.command({ type: 'linger', duration: LATE_CALLBACK_WINDOW });
  draft.stage = { name: 'finished', outcome, notifying };
}

/** A SUCCEEDED routed order's supplier and what it charges, booked with the final status. */
function supplierCharge({ order }: OrderMachine, outcome: OrderOutcome): { supplierId?: string; supplierCostFen?: number } {
  const attempt = outcome.supplierId === undefined ? undefined : order.attempts?.filter((a) => a.supplierId === outcome.supplierId).at(-1);
  return attempt ? { supplierId: attempt.supplierId, supplierCostFen: attempt.costFen } : {};
}
