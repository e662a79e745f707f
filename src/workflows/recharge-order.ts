import { allHandlersFinished, condition, continueAsNew, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { OperatorDecision, ResolveRequest, RetryRequest } from '../shared/operator-actions.ts';
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
import { createCommandRunner, orderCodeVersion, type Apply } from './order/command-runner.ts';
import { decide, nextStep, refusalReason, waitDeadline } from './order/machine.ts';
import { newOrder, resumedOrder, type OrderMachine } from './order/state.ts';
import { createViewWriter } from './order/view-writer.ts';

/** The timeline carried over by continue-as-new; the full history stays in the order view. */
const CARRIED_TIMELINE_ENTRIES = 50;

/**
 * One recharge order: submit to the carrier, wait for its callback until the
 * SLA deadline, then ask the carrier's status endpoint, and hand the order to
 * an operator (ESCALATED) if the outcome is still open. The order finishes
 * only on a final answer from the carrier or an operator's decision; a FAILED
 * order is then refunded (its cost was debited when it was accepted), and the
 * merchant is told. The rules live in ./order/ (a pure state machine); this
 * workflow feeds it events (signals, Updates, activity results, the deadline)
 * and carries out its commands.
 */
export async function rechargeOrder(input: RechargeOrderInput): Promise<OrderOutcome> {
  const order = liveOrder(input);
  // Orders started by the API carry these from the start; any other start gets them here.
  if (!input.resumed && workflowInfo().typedSearchAttributes.get(OrderStatusAttribute) === undefined) {
    upsertSearchAttributes(newOrderSearchAttributes(input));
  }
  setOrderHandlers(order);
  for (;;) {
    const step = nextStep(order.machine(), { continueAsNewSuggested: workflowInfo().continueAsNewSuggested });
    if (step === 'done') break;
    if (step === 'continue-as-new' && (await stillIdleAfterHandlers(order))) return continueAsNewNow(order);
    if (step === 'wait') await untilNextStep(order);
    else if (step !== 'continue-as-new') await order.apply({ type: 'step', step, at: Date.now() });
  }
  await condition(allHandlersFinished);
  const { stage } = order.machine();
  if (stage.name !== 'finished') throw new Error(`order loop ended in stage ${stage.name}`); // unreachable: only a finished order is done
  return stage.outcome;
}

/** The order's machine in this run, and how events reach it. */
function liveOrder(input: RechargeOrderInput) {
  const { resumed, ...facts } = input;
  const version = orderCodeVersion();
  let machine: OrderMachine = resumed ? resumedOrder(facts, resumed.state) : newOrder(facts, { routing: version === 'routing' });
  const viewWriter = createViewWriter(facts.orderId, resumed?.eventSeq ?? 0);
  const apply: Apply = (event) => {
    const decision = decide(machine, event);
    machine = decision.machine;
    return runner.runAll(decision.commands);
  };
  const runner = createCommandRunner(facts, viewWriter, apply, machine.order.status, version !== 'legacy');
  return { input, apply, viewWriter, runner, machine: () => machine };
}

type LiveOrder = ReturnType<typeof liveOrder>;

/** Thin handlers: each turns a signal, Update or query into an event for the machine, or reads its state. */
function setOrderHandlers({ apply, machine }: LiveOrder): void {
  setHandler(orderStateQuery, () => machine().order);
  setHandler(carrierCallbackSignal, async (callback) => void (await apply({ type: 'callback', callback, at: Date.now() })));
  const decideNow = async (decision: OperatorDecision) => {
    const reply = await apply({ type: 'operator-decision', decision, at: Date.now() });
    if (!reply) throw new Error('the order machine did not answer the decision'); // unreachable: an accepted decision always replies
    return reply;
  };
  const validator = (decision: OperatorDecision) => {
    const reason = refusalReason(machine(), decision);
    if (reason) throw new Error(reason);
  };
  // The action comes last, so a payload cannot turn one Update into the other.
  setHandler(resolveOrderUpdate, (request) => decideNow({ ...request, action: 'resolve' }), {
    validator: (request: ResolveRequest) => validator({ ...request, action: 'resolve' }),
  });
  setHandler(retryOrderUpdate, (request) => decideNow({ ...request, action: 'retry' }), { validator: (request: RetryRequest) => validator({ ...request, action: 'retry' }) });
  // A refused decision sent as a signal is recorded by the machine and changes nothing.
  setHandler(operatorDecisionSignal, async (decision) => void (await apply({ type: 'operator-decision', decision, at: Date.now() })));
}

/** Waits for an event that makes a step due, or for the deadline (or re-route) while a result is awaited. */
async function untilNextStep({ apply, machine }: LiveOrder): Promise<void> {
  const due = () => nextStep(machine(), { continueAsNewSuggested: workflowInfo().continueAsNewSuggested }) !== 'wait';
  const deadline = waitDeadline(machine());
  if (deadline === undefined) return condition(due);
  const remaining = deadline.atMs - Date.now();
  if (remaining > 0 && (await condition(due, remaining))) return;
  await apply({ type: deadline.event, at: Date.now() });
}

/**
 * Lets running handlers and the alert finish first (an alert must not be lost
 * to the new run); false if an Update or signal handled meanwhile (an
 * operator's decision, a callback) changed what is due.
 */
async function stillIdleAfterHandlers({ machine, runner }: LiveOrder): Promise<boolean> {
  await condition(allHandlersFinished);
  await runner.alertSettled();
  return nextStep(machine(), { continueAsNewSuggested: true }) === 'continue-as-new';
}

/** Continues as new when the history grows long, so an escalated order can wait for days. */
async function continueAsNewNow({ input, apply, machine, viewWriter }: LiveOrder): Promise<never> {
  await apply({ type: 'continued-as-new', at: Date.now() });
  const { order } = machine();
  const carried = { ...order, timeline: order.timeline.slice(-CARRIED_TIMELINE_ENTRIES) };
  return continueAsNew<typeof rechargeOrder>({ ...input, resumed: { state: carried, eventSeq: viewWriter.eventSeq() } });
}
