import { allHandlersFinished, condition, continueAsNew, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { OperatorDecision } from '../shared/operator-actions.ts';
import {
  carrierCallbackSignal,
  operatorDecisionSignal,
  orderStateQuery,
  resolveOrderUpdate,
  retryOrderUpdate,
  type OrderOutcome,
  type RechargeOrderInput,
} from '../shared/order-workflow.ts';
import { OrderStatusAttribute, newOrderSearchAttributes } from '../shared/search-attributes.ts';
import { createCommandRunner } from './order/command-runner.ts';
import { decide, nextStep, refusalReason, waitDeadline } from './order/machine.ts';
import { newOrder, resumedOrder, type MachineEvent, type OrderMachine } from './order/state.ts';
import { createViewWriter } from './order/view-writer.ts';

/** The timeline carried over by continue-as-new; the full history stays in the order view. */
const CARRIED_TIMELINE_ENTRIES = 50;

/**
 * One recharge order: submit to the carrier, wait for its callback until the
 * SLA deadline, then ask the carrier's status endpoint, and hand the order to
 * an operator (ESCALATED) if the outcome is still open. The order finishes
 * only on a final answer from the carrier or an operator's decision; a FAILED
 * order is then refunded (its cost was debited when it was accepted), and the
 * merchant is told. The rules live in ./order/machine.ts; this function feeds
 * it events (signals, Updates, activity results, the deadline) and carries out its commands.
 */
export async function rechargeOrder(input: RechargeOrderInput): Promise<OrderOutcome> {
  const { resumed, ...facts } = input;
  let machine: OrderMachine = resumed ? resumedOrder(facts, resumed.state) : newOrder(facts);
  const viewWriter = createViewWriter(facts.orderId, resumed?.eventSeq ?? 0);
  const apply = (event: MachineEvent) => {
    const decision = decide(machine, event);
    machine = decision.machine;
    return runner.runAll(decision.commands);
  };
  const runner = createCommandRunner(facts, viewWriter, apply);

  // Orders started by the API carry these from the start; any other start gets them here.
  if (!resumed && workflowInfo().typedSearchAttributes.get(OrderStatusAttribute) === undefined) {
    upsertSearchAttributes(newOrderSearchAttributes(facts));
  }

  setHandler(orderStateQuery, () => machine.order);
  setHandler(carrierCallbackSignal, async (callback) => void (await apply({ type: 'callback', callback, at: Date.now() })));
  const decideNow = (decision: OperatorDecision) => apply({ type: 'operator-decision', decision, at: Date.now() });
  const validate = (decision: OperatorDecision) => {
    const reason = refusalReason(machine, decision);
    if (reason) throw new Error(reason);
  };
  // The action comes last, so a payload cannot turn one Update into the other.
  setHandler(resolveOrderUpdate, async (request) => (await decideNow({ ...request, action: 'resolve' }))!, { validator: (request) => validate({ ...request, action: 'resolve' }) });
  setHandler(retryOrderUpdate, async (request) => (await decideNow({ ...request, action: 'retry' }))!, { validator: (request) => validate({ ...request, action: 'retry' }) });
  // A refused decision sent as a signal is recorded by the machine and changes nothing.
  setHandler(operatorDecisionSignal, async (decision) => void (await decideNow(decision)));

  for (;;) {
    const step = nextStep(machine, { continueAsNewSuggested: workflowInfo().continueAsNewSuggested });
    if (step === 'done') break;
    if (step === 'continue-as-new') return continueAsNewWhenIdle();
    if (step === 'wait') await untilNextStep();
    else await apply({ type: 'step', step, at: Date.now() });
  }
  await condition(allHandlersFinished);
  // The loop only ends once the order is finished.
  return (machine.stage as Extract<OrderMachine['stage'], { name: 'finished' }>).outcome;

  /** Waits for an event that makes a step due, or for the deadline while a result is awaited. */
  async function untilNextStep(): Promise<void> {
    const due = () => nextStep(machine, { continueAsNewSuggested: workflowInfo().continueAsNewSuggested }) !== 'wait';
    const deadlineMs = waitDeadline(machine);
    if (deadlineMs === undefined) return condition(due);
    const remaining = deadlineMs - Date.now();
    if (remaining > 0 && (await condition(due, remaining))) return;
    await apply({ type: 'deadline-reached', at: Date.now() });
  }

  /** Continues as new when the history grows long, so an escalated order can wait for days. */
  async function continueAsNewWhenIdle(): Promise<never> {
    await condition(allHandlersFinished);
    await runner.alertSettled(); // an alert must not be lost to the new run
    await apply({ type: 'continued-as-new', at: Date.now() });
    const carried = { ...machine.order, timeline: machine.order.timeline.slice(-CARRIED_TIMELINE_ENTRIES) };
    return continueAsNew<typeof rechargeOrder>({ ...input, resumed: { state: carried, eventSeq: viewWriter.eventSeq() } });
  }
}
