/**
 * The order's rules: one pure function from (state, event) to the new state
 * and the commands to carry out, and what the workflow's main loop does next.
 * Free of Temporal; the workflow (src/workflows/recharge-order.ts) feeds it
 * events and carries out its commands.
 */
import { malformedDecision, type OperatorDecision } from '../../shared/operator-actions.ts';
import { OrderStatus } from '../../shared/order-status.ts';
import { applyCallback, applyCarrierAnswer, applyDeadline, applyStatusAnswer } from './carrier-rules.ts';
import { Draft } from './draft.ts';
import { applyLoopStep } from './loop-steps.ts';
import { applyOperatorDecision } from './operator-rules.ts';
import { applyAttemptUnknown, applyRouteDecision, applySupplierAnswer } from './supplier-rules.ts';
import { OrderEvent } from '../../shared/order-events.ts';
import type { Decision, LoopStep, MachineEvent, OrderMachine } from './state.ts';

export function decide(machine: OrderMachine, event: MachineEvent): Decision {
  const draft = new Draft(machine, event.at);
  switch (event.type) {
    case 'carrier-answered':
      applyCarrierAnswer(draft, event.answer);
      break;
    case 'carrier-unreachable':
      if (machine.routing) {
        applyAttemptUnknown(draft, event.attempt, event.error);
        break;
      }
      draft.machine.submission = 'failed';
      draft.record(OrderEvent.CARRIER_UNREACHABLE, { error: event.error });
      break;
    case 'route-decided':
      applyRouteDecision(draft, event.decision);
      break;
    case 'supplier-answered':
      applySupplierAnswer(draft, event.attempt, event.answer);
      break;
    case 'route-again':
      if (draft.stage.name === 'awaiting-result' && draft.machine.submission === 'waiting-for-supplier') {
        draft.machine.submission = 'due';
        draft.stage = { name: 'awaiting-result', deadlineMs: draft.stage.deadlineMs, waitingForSupplier: true };
      }
      break;
    case 'callback':
      applyCallback(draft, event.callback);
      break;
    case 'operator-decision':
      applyOperatorDecision(draft, event.decision, refusalReason(machine, event.decision));
      break;
    case 'status-answered':
    case 'status-unavailable':
      applyStatusAnswer(draft, event);
      break;
    case 'deadline-reached':
      applyDeadline(draft);
      break;
    case 'step':
      applyLoopStep(draft, event.step);
      break;
    default:
      recordFact(draft, event);
  }
  return draft.done();
}

/** Events that only add to the timeline (or end the merchant notification). */
function recordFact(draft: Draft, event: Extract<MachineEvent, { type: 'refunded' | 'alert-failed' | 'notification-done' | 'continued-as-new' }>): void {
  switch (event.type) {
    case 'refunded':
      return draft.record(OrderEvent.REFUNDED, { ...event.result });
    case 'alert-failed':
      return draft.record(OrderEvent.ALERT_FAILED, { error: event.error });
    case 'notification-done':
      if (draft.stage.name === 'finished') draft.stage = { ...draft.stage, notifying: false };
      return draft.record(OrderEvent.MERCHANT_NOTIFICATION_DONE, { result: event.result });
    case 'continued-as-new':
      return draft.record(OrderEvent.CONTINUED_AS_NEW);
  }
}

export type NextStep = LoopStep | 'continue-as-new' | 'wait' | 'done';

/**
 * What the main loop does next. `wait` means until an event makes another
 * step due, or (awaiting a result) until the deadline.
 */
export function nextStep(machine: OrderMachine, { continueAsNewSuggested }: { continueAsNewSuggested: boolean }): NextStep {
  const { stage, submission, order } = machine;
  switch (stage.name) {
    case 'decided':
      return 'finish';
    case 'finished':
      return stage.notifying ? 'wait' : 'done';
    case 'awaiting-result':
      if (submission === 'due') return 'submit';
      // Every attempt failed: the outcome is unknown, never failed.
      return submission === 'failed' && order.status !== OrderStatus.UNKNOWN ? 'mark-unknown' : 'wait';
    case 'asking-carrier':
      return 'wait';
    case 'escalated':
      if (stage.retry.state === 'cleared') return 'resubmit';
      // Only an idle order continues as new: nothing in flight that the new run would not know of.
      return continueAsNewSuggested && stage.retry.state === 'none' && submission !== 'running' ? 'continue-as-new' : 'wait';
  }
}

/**
 * When waiting must end even without an event, and the event it ends with:
 * the SLA deadline while a result is awaited, or before it the time a routed
 * order with no supplier available routes again.
 */
export function waitDeadline(machine: OrderMachine): { atMs: number; event: 'deadline-reached' | 'route-again' } | undefined {
  const { stage } = machine;
  if (stage.name !== 'awaiting-result') return undefined;
  if (stage.routeAgainAtMs !== undefined && stage.routeAgainAtMs < stage.deadlineMs) return { atMs: stage.routeAgainAtMs, event: 'route-again' };
  return { atMs: stage.deadlineMs, event: 'deadline-reached' };
}

/** Why an operator decision cannot be applied now, or undefined. */
export function refusalReason(machine: OrderMachine, decision: OperatorDecision): string | undefined {
  const malformed = malformedDecision(decision);
  if (malformed) return malformed;
  const { stage, order, submission } = machine;
  if (stage.name === 'decided' || stage.name === 'finished') return `order is already decided: ${stage.outcome.status} (${stage.outcome.resolvedBy})`;
  if (order.status !== OrderStatus.ESCALATED) return `order is ${order.status}; operators decide ESCALATED orders`;
  // While a submission is in flight its outcome is open: deciding now could contradict a charge under way.
  if (submission === 'running') return 'a submission to the carrier is still in progress; wait for its answer';
  // Until a retry has been checked and re-submitted, any decision could race it.
  if (stage.name === 'escalated' && stage.retry.state !== 'none') return 'a retry is under way; wait for its outcome';
  return undefined;
}
