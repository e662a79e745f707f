import {
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
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
import { createCommandRunner } from './order-commands.ts';
import { canContinueAsNew, decide, isDone, nextTimer } from './order/machine.ts';
import { refusalReason } from './order/operator-rules.ts';
import { newOrder, resumedOrder, type EventBody, type MachineEvent, type OrderMachine } from './order/state.ts';

/** The timeline carried over by continue-as-new; the full history stays in the order view. */
const CARRIED_TIMELINE_ENTRIES = 50;

/**
 * One recharge order. Its rules are a pure machine (./order/machine.ts); this
 * workflow is its one loop: take the next event (a signal, an Update, an
 * activity's answer, a timer), decide, carry out the commands. Handlers and
 * activity answers only add events to the order's inbox.
 */
export async function rechargeOrder(input: RechargeOrderInput): Promise<OrderOutcome> {
  const order = liveOrder(input);
  // Orders started by the API carry these from the start; any other start gets them here.
  if (!input.resumed && workflowInfo().typedSearchAttributes.get(OrderStatusAttribute) === undefined) {
    upsertSearchAttributes(newOrderSearchAttributes(input));
  }
  setOrderHandlers(order);
  if (!input.resumed) order.push({ type: 'started' });
  for (;;) {
    const event = await order.next();
    if (event === 'continue-as-new') return continueAsNewNow(order);
    await order.handle(event);
    // Done, but not before every signal that came meanwhile (a contradicting late callback, say) has been taken.
    if (isDone(order.machine()) && (await order.settled())) break;
  }
  order.runner.flushAttributes();
  const { stage } = order.machine();
  if (stage.name !== 'finished') throw new Error(`order loop ended in stage ${stage.name}`); // unreachable: only a finished order is done
  return stage.outcome;
}

/** The order's machine in this run, its inbox, and the loop's two steps. */
function liveOrder(input: RechargeOrderInput) {
  const { resumed, ...facts } = input;
  let machine: OrderMachine = resumed ? resumedOrder(facts, resumed.state) : newOrder(facts);
  const inbox: MachineEvent[] = [];
  const push = (event: EventBody) => void inbox.push({ ...event, at: Date.now() });
  const runner = createCommandRunner(facts, push, resumed?.eventSeq ?? 0);
  const timer = createTimer();
  const idleToContinue = () => workflowInfo().continueAsNewSuggested && canContinueAsNew(machine);

  /** The next event: the oldest in the inbox, else the stage's timer; or time to continue as new (idle, and the history long). */
  async function next(): Promise<MachineEvent | 'continue-as-new'> {
    for (;;) {
      const queued = inbox.shift();
      if (queued) return queued;
      runner.flushAttributes();
      if (idleToContinue()) {
        await condition(allHandlersFinished);
        if (inbox.length === 0 && idleToContinue()) return 'continue-as-new';
        continue;
      }
      const armed = timer.arm(nextTimer(machine));
      await condition(() => inbox.length > 0 || armed?.fired === true || idleToContinue());
      if (inbox.length === 0 && armed?.fired) return { type: timer.take(), at: Date.now() };
    }
  }

  async function handle(event: MachineEvent): Promise<void> {
    const decision = decide(machine, event);
    machine = decision.machine;
    await runner.runAll(decision.commands);
  }

  /** Whether nothing is left to take: the inbox empty once every handler (an Update waiting for its answer) has finished. */
  async function settled(): Promise<boolean> {
    if (inbox.length > 0) return false;
    await condition(allHandlersFinished);
    return inbox.length === 0;
  }

  return { input, push, next, handle, settled, runner, machine: () => machine };
}

type LiveOrder = ReturnType<typeof liveOrder>;

/**
 * The stage's timer (the SLA deadline, a re-route, the window for late
 * callbacks), started once per due time: waiting again for the same time
 * reuses it. A timer no longer wanted is left to fire unheeded, or cancelled
 * when another replaces it.
 */
function createTimer() {
  type Armed = {
    atMs: number;
    event: 'deadline-reached' | 'route-again' | 'linger-over';
    fired: boolean;
    scope: CancellationScope;
  };
  let armed: Armed | undefined;
  return {
    arm(due: ReturnType<typeof nextTimer>): Armed | undefined {
      if (!due) return undefined;
      if (armed?.atMs === due.atMs && armed.event === due.event) return armed;
      armed?.scope.cancel();
      const started: Armed = { ...due, fired: false, scope: new CancellationScope() };
      started.scope
        .run(() => sleep(Math.max(1, due.atMs - Date.now())))
        .then(
          () => (started.fired = true),
          () => undefined, // cancelled: replaced by another
        );
      armed = started;
      return armed;
    },
    /** The fired timer's event; the timer is spent. */
    take(): Armed['event'] {
      const event = (armed as Armed).event;
      armed = undefined;
      return event;
    },
  };
}

/** Thin handlers: each turns a signal or Update into an event in the inbox, or reads the machine. */
function setOrderHandlers({ push, runner, machine }: LiveOrder): void {
  setHandler(orderStateQuery, () => machine().order);
  setHandler(carrierCallbackSignal, (callback) => push({ type: 'callback', callback }));
  // A refused decision sent as a signal is recorded by the machine and changes nothing.
  setHandler(operatorDecisionSignal, (decision) => push({ type: 'operator-decision', decision }));
  let updates = 0;
  const decideNow = (decision: OperatorDecision) => {
    const replyTo = `update-${++updates}`;
    push({ type: 'operator-decision', decision, replyTo });
    return runner.answerTo(replyTo);
  };
  const validator = (decision: OperatorDecision) => {
    const reason = refusalReason(machine(), decision);
    if (reason) throw new Error(reason);
  };
  // The action comes last, so a payload cannot turn one Update into the other.
  setHandler(resolveOrderUpdate, (request) => decideNow({ ...request, action: 'resolve' }), {
    validator: (request: ResolveRequest) => validator({ ...request, action: 'resolve' }),
  });
  setHandler(retryOrderUpdate, (request) => decideNow({ ...request, action: 'retry' }), {
    validator: (request: RetryRequest) => validator({ ...request, action: 'retry' }),
  });
}

/** Continues as new when the history grows long, so an escalated order can wait for days. */
async function continueAsNewNow({ input, handle, machine, runner }: LiveOrder): Promise<never> {
  await handle({ type: 'continued-as-new', at: Date.now() });
  const { order } = machine();
  const carried = { ...order, timeline: order.timeline.slice(-CARRIED_TIMELINE_ENTRIES) };
  return continueAsNew<typeof rechargeOrder>({ ...input, resumed: { state: carried, eventSeq: runner.eventSeq() } });
}
