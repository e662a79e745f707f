import { isCancellation, log, metricMeter, patched, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import type { CarrierStatus } from '../../shared/carrier-protocol.ts';
import type { DecisionResult } from '../../shared/operator-actions.ts';
import type { EscalationAlert, StatusPurpose, SubmitRechargeInput } from '../../shared/order-activities.ts';
import { NeedsReviewAttribute } from '../../shared/search-attributes.ts';
import { alerts, carrier, money, routing, supplier } from '../activity-stubs.ts';
import { deliverNotification } from '../merchant-notification.ts';
import type { OrderStatus } from '../../shared/order-status.ts';
import type { OrderOutcome, SupplierAttempt } from '../../shared/order-workflow.ts';
import type { SupplierAttemptInput } from '../../shared/suppliers.ts';
import { COALESCED_ORDER_WRITES, SUPPLIER_ROUTING, type MachineEvent, type OrderCommand, type OrderFacts } from './state.ts';
import { createStatusAttributes, type StatusAttributes } from './status-attributes.ts';
import type { createViewWriter } from './view-writer.ts';

/** Feeds an event to the machine and carries out what it decides; resolves with the reply to an operator's Update, if any. */
export type Apply = (event: MachineEvent) => Promise<DecisionResult | undefined>;

interface Runner {
  facts: OrderFacts;
  viewWriter: ReturnType<typeof createViewWriter>;
  apply: Apply;
  /** The escalation alert in flight, if any. */
  pendingAlert: Promise<unknown>;
  attributes: StatusAttributes;
  /** Started under the `coalesced-order-writes` patch, which implies every earlier one. */
  coalesced: boolean;
}

/**
 * Carries out the machine's commands with Temporal: activities, local
 * activities, search attributes, timers. What an activity answers goes back
 * to the machine as an event.
 */
export function createCommandRunner(facts: OrderFacts, viewWriter: Runner['viewWriter'], apply: Apply, status: OrderStatus, coalesced: boolean) {
  const runner: Runner = { facts, viewWriter, apply, pendingAlert: Promise.resolve(), attributes: createStatusAttributes(status, coalesced), coalesced };
  return {
    /** Carries out commands in order; the last reply among them (or among those of the events they led to). */
    async runAll(commands: OrderCommand[]): Promise<DecisionResult | undefined> {
      let reply: DecisionResult | undefined;
      for (const command of commands) reply = (await run(runner, command)) ?? reply;
      return reply;
    },
    /** Settles once the escalation alert has been sent or given up on, so continue-as-new cannot lose it. */
    alertSettled: () => runner.pendingAlert,
  };
}

/** Which code an order runs: the newest patch its history has. */
export type OrderCodeVersion = 'legacy' | 'coalesced' | 'routing';

/**
 * Asked once, when the run starts: the newest patch implies the older ones,
 * so a new order records one patch marker (and one TemporalChangeVersion
 * upsert), and a recorded history replays under the patch it has.
 */
export function orderCodeVersion(): OrderCodeVersion {
  if (patched(SUPPLIER_ROUTING)) return 'routing';
  return patched(COALESCED_ORDER_WRITES) ? 'coalesced' : 'legacy';
}

async function run(runner: Runner, command: OrderCommand): Promise<DecisionResult | undefined> {
  const { orderId } = runner.facts;
  switch (command.type) {
    case 'write-view':
      return writeView(runner, command);
    case 'flag-for-review':
      upsertSearchAttributes([{ key: NeedsReviewAttribute, value: true }]);
      log.warn('Carrier contradicts a decided order', { orderId, reason: command.reason });
      await runner.viewWriter.flagForReview(command.reason);
      return undefined;
    case 'submit':
      submitInBackground(runner, command.request);
      return undefined;
    case 'ask-carrier':
      return askCarrier(runner, command.purpose, command.attempt);
    case 'route':
      // In the view writes' queue: local activities side by side complete in an order a replay cannot reproduce.
      return runner.apply({ type: 'route-decided', decision: await runner.viewWriter.inOrder(() => routing.routeOrder(command.input)), at: Date.now() });
    case 'submit-to-supplier':
      sendToSupplierInBackground(runner, command.request, command.taskQueue);
      return undefined;
    case 'announce-escalation':
      announceEscalation(runner, command.alert);
      return undefined;
    case 'refund':
      // Behind a patch, as orders that failed before refunds existed must replay without it.
      if (runner.coalesced || patched('refund-failed-orders')) await runner.apply({ type: 'refunded', result: await money.refundOrder({ orderId }), at: Date.now() });
      return undefined;
    case 'mark-finished':
      runner.attributes.finished();
      recordOutcome(runner.facts, command.outcome);
      return undefined;
    case 'notify-merchant':
      void deliverNotification(orderId).then((result) => runner.apply({ type: 'notification-done', result, at: Date.now() }));
      return undefined;
    case 'linger':
      await sleep(command.duration);
      return undefined;
    case 'reply':
      return command.result;
  }
}

/**
 * Writes to the order view, then moves the status attributes. A history
 * recorded before the workflow wrote carrier answers itself (patch
 * `workflow-records-carrier-answers`) replays as that code ran: the submit
 * activity had written PROCESSING to the view.
 */
async function writeView({ viewWriter, attributes, coalesced }: Runner, command: Extract<OrderCommand, { type: 'write-view' }>): Promise<undefined> {
  if (command.since !== undefined && !coalesced && !patched(command.since)) {
    attributes.answeredByActivity();
    return undefined;
  }
  const { transition } = command;
  if (transition) attributes.queued();
  await viewWriter.write(command);
  if (transition) attributes.written(transition.to, transition.fields);
  return undefined;
}

/** Never cancelled: an attempt in flight may already have reached the carrier, and a later answer cannot change a decided outcome. */
function submitInBackground({ apply }: Runner, request: SubmitRechargeInput): void {
  void carrier.submitRecharge(request).then(
    (answer) => apply({ type: 'carrier-answered', answer, at: Date.now() }),
    (error: unknown) => apply({ type: 'carrier-unreachable', error: String(error), at: Date.now() }),
  );
}

/** Like submitInBackground, on the supplier's own task queue; the answer names its attempt. */
function sendToSupplierInBackground({ apply }: Runner, request: SupplierAttemptInput, taskQueue: string): void {
  const { attempt } = request;
  void supplier(taskQueue)
    .submitToSupplier(request)
    .then(
      (answer) => apply({ type: 'supplier-answered', attempt, answer, at: Date.now() }),
      (error: unknown) => apply({ type: 'carrier-unreachable', error: String(error), attempt, at: Date.now() }),
    );
}

/** The carrier's status endpoint; for a routed order, that of the attempt's supplier, about the attempt's request id. */
async function askCarrier({ facts, viewWriter, apply }: Runner, purpose: StatusPurpose, attempt?: SupplierAttempt): Promise<DecisionResult | undefined> {
  const { orderId } = facts;
  const eventKey = viewWriter.nextKey();
  let answer: CarrierStatus;
  try {
    answer = attempt
      ? await supplier(attempt.taskQueue).querySupplierStatus({ orderId, supplierId: attempt.supplierId, requestId: attempt.requestId, eventKey, purpose })
      : await carrier.queryCarrierStatus({ orderId, eventKey, purpose });
  } catch (error) {
    if (isCancellation(error)) throw error;
    return apply({ type: 'status-unavailable', purpose, error: String(error), ...(attempt && { attempt: attempt.attempt }), at: Date.now() });
  }
  return apply({ type: 'status-answered', purpose, answer, ...(attempt && { attempt: attempt.attempt }), at: Date.now() });
}

/** The outcome's business metrics (the workflow's meter: never recorded again in a replay). */
function recordOutcome(facts: OrderFacts, { status, resolvedBy, supplierId = 'none' }: OrderOutcome): void {
  const tags = { carrier: facts.carrier, supplier: supplierId, status };
  metricMeter.createHistogram('recharge_order_submit_to_final', 'int', 'ms', 'From submission to the final result').record(Date.now() - Date.parse(facts.submittedAt), tags);
  metricMeter.createCounter('recharge_order_outcomes', 'orders', 'Final outcomes by how they were decided').add(1, { ...tags, resolved_by: resolvedBy });
}

function announceEscalation(runner: Runner, alert: EscalationAlert): void {
  runner.attributes.escalated(alert.escalatedAt);
  metricMeter.createCounter('recharge_order_escalations', 'orders', 'Orders handed to an operator').add(1, { carrier: runner.facts.carrier });
  // Not awaited: a failing alert channel must not hold the order up.
  runner.pendingAlert = alerts.raiseEscalationAlert(alert).catch((error: unknown) => runner.apply({ type: 'alert-failed', error: String(error), at: Date.now() }));
}
