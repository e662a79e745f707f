/**
 * Carries out the machine's commands with Temporal. Local activities (view
 * writes, routing) run one at a time, in order, as the loop awaits them:
 * local activities side by side would complete in an order a replay cannot
 * reproduce. Activities on the server run in the background; what they and
 * routing answer goes back to the order's inbox as an event. A command never
 * calls `decide`.
 */
import { ApplicationFailure, isCancellation, log, metricMeter } from '@temporalio/workflow';
import type { DecisionResult } from '../shared/operator-actions.ts';
import type { EscalationAlert } from '../shared/order-activities.ts';
import type { OrderOutcome } from '../shared/order-workflow.ts';
import { NeedsReviewAttribute } from '../shared/search-attributes.ts';
import { alerts, money, routing, supplier } from './activity-stubs.ts';
import { deliverNotification } from './merchant-notification.ts';
import type { EventBody, OrderCommand, OrderFacts } from './order/state.ts';
import { createViewWrites, type ViewWrites } from './order-view-writes.ts';

type Push = (event: EventBody) => void;
type Reply = (result: DecisionResult | { refused: string }) => void;

/**
 * Starts work in the background; its answer (or failure) comes back as an
 * event. Never cancelled: an attempt in flight may already have reached its
 * supplier. Without `failed`, the work cannot fail (it retries without
 * limit, or catches its own failure).
 */
function inBackground<T>(
  push: Push,
  work: Promise<T>,
  answered: (result: T) => EventBody,
  failed?: (error: unknown) => EventBody,
): void {
  void work.then(
    (result) => push(answered(result)),
    failed &&
      ((error: unknown) => {
        if (!isCancellation(error)) push(failed(error));
      }),
  );
}

interface Context {
  facts: OrderFacts;
  push: Push;
  views: ViewWrites;
  waitingUpdates: Map<string, Reply>;
}

/** Sends an attempt to its supplier, or asks its supplier for the status, on the supplier's own task queue. */
function runSupplierCall(
  { facts, push, views }: Context,
  command: Extract<OrderCommand, { type: 'submit-to-supplier' | 'ask-supplier' }>,
): void {
  const { orderId, phone, carrier, amountYuan } = facts;
  const { supplierId, requestId, taskQueue, attempt, round, probe } = command.attempt;
  const calls = supplier(taskQueue);
  if (command.type === 'submit-to-supplier') {
    const input = { orderId, supplierId, requestId, phone, carrier, amountYuan, round, attempt };
    return inBackground(
      push,
      calls.submitToSupplier(probe ? { ...input, probe } : input),
      (answer) => ({ type: 'supplier-answered', attempt, answer }),
      (error) => ({ type: 'supplier-unreachable', attempt, error: String(error) }),
    );
  }
  const { purpose } = command;
  inBackground(
    push,
    calls.querySupplierStatus({ orderId, supplierId, requestId, eventKey: views.nextKey(), purpose }),
    (answer) => ({ type: 'status-answered', purpose, attempt, answer }),
    (error) => ({ type: 'status-unavailable', purpose, attempt, error: String(error) }),
  );
}

async function run(context: Context, command: OrderCommand): Promise<void> {
  const { facts, push, views } = context;
  switch (command.type) {
    case 'write-view':
      return views.write(command);
    case 'flag-for-review':
      views.setAttribute({ key: NeedsReviewAttribute, value: true });
      log.warn('Carrier contradicts a decided order', { orderId: facts.orderId, reason: command.reason });
      return views.flagForReview(command.reason);
    case 'route': {
      const { orderId, carrier, amountYuan, province, speed } = facts;
      const { attempt, declined, resting } = command;
      const decision = await routing.routeOrder({
        orderId,
        carrier,
        amountYuan,
        ...(province !== undefined && { province }),
        ...(speed !== undefined && { speed }),
        attempt,
        declined,
        resting,
      });
      return push({ type: 'route-decided', decision });
    }
    case 'submit-to-supplier':
    case 'ask-supplier':
      return runSupplierCall(context, command);
    case 'announce-escalation':
      metricMeter
        .createCounter('recharge_order_escalations', 'orders', 'Orders handed to an operator')
        .add(1, { carrier: facts.carrier });
      // A failing alert channel must not hold the order up.
      return inBackground(
        push,
        alerts.raiseEscalationAlert(escalationAlert(facts, command.escalatedAt)),
        () => ({ type: 'alert-sent' }),
        (error) => ({ type: 'alert-failed', error: String(error) }),
      );
    case 'refund':
      return inBackground(push, money.refundOrder({ orderId: facts.orderId }), (result) => ({
        type: 'refunded',
        result,
      }));
    case 'mark-finished':
      return recordOutcome(facts, command.outcome);
    case 'notify-merchant':
      return inBackground(push, deliverNotification(facts.orderId), (result) => ({
        type: 'notification-done',
        result,
      }));
    case 'reply':
      context.waitingUpdates.get(command.to)?.(command.result);
      context.waitingUpdates.delete(command.to);
  }
}

export function createCommandRunner(facts: OrderFacts, push: Push, startSeq: number) {
  const context: Context = { facts, push, views: createViewWrites(facts.orderId, startSeq), waitingUpdates: new Map() };
  return {
    /** Carries out a decision's commands, in order. */
    async runAll(commands: OrderCommand[]): Promise<void> {
      for (const command of commands) await run(context, command);
    },
    /** Moves the search attributes the writes since the last call have earned. */
    flushAttributes: () => context.views.flushAttributes(),
    /** Waits for the machine's answer to an operator's Update; a refusal fails the Update with its reason. */
    async answerTo(id: string): Promise<DecisionResult> {
      const result = await new Promise<DecisionResult | { refused: string }>((resolve) =>
        context.waitingUpdates.set(id, resolve),
      );
      if ('refused' in result) throw ApplicationFailure.nonRetryable(result.refused, 'OperatorDecisionRefused');
      return result;
    },
    /** How many view keys were handed out; carried over by continue-as-new. */
    eventSeq: () => context.views.eventSeq(),
  };
}

/** What on-call is told of an escalated order. */
function escalationAlert(
  { orderId, merchantId, merchantOrderNo, carrier, amountYuan }: OrderFacts,
  escalatedAt: string,
): EscalationAlert {
  return {
    orderId,
    ...(merchantId !== undefined && { merchantId }),
    merchantOrderNo,
    carrier,
    amountYuan,
    escalatedAt,
  };
}

/** The outcome's business metrics (the workflow's meter: never recorded again in a replay). */
function recordOutcome(facts: OrderFacts, { status, resolvedBy, supplierId = 'none' }: OrderOutcome): void {
  const tags = { carrier: facts.carrier, supplier: supplierId, status };
  metricMeter
    .createHistogram('recharge_order_submit_to_final', 'int', 'ms', 'From submission to the final result')
    .record(Date.now() - Date.parse(facts.submittedAt), tags);
  metricMeter
    .createCounter('recharge_order_outcomes', 'orders', 'Final outcomes by how they were decided')
    .add(1, { ...tags, resolved_by: resolvedBy });
}
