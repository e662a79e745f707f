/**
 * The order's life as data: its state, the events it reacts to and the
 * commands it asks the workflow to carry out. Pure types and constructors,
 * free of Temporal, so the machine runs in unit tests as it runs in a workflow.
 */
import type { CarrierStatus, CarrierSubmission } from '../../shared/carrier-protocol.ts';
import type { DecisionResult, OperatorDecision, RetryRequest } from '../../shared/operator-actions.ts';
import type { EscalationAlert, RefundResult, StatusPurpose, SubmitRechargeInput, TransitionFields } from '../../shared/order-activities.ts';
import type { OrderEvent } from '../../shared/order-events.ts';
import { OrderStatus } from '../../shared/order-status.ts';
import type { CarrierCallback, OrderOutcome, OrderState, RechargeOrderInput, SupplierAttempt } from '../../shared/order-workflow.ts';
import type { RouteDecision, RouteInput, SupplierAnswer, SupplierAttemptInput } from '../../shared/suppliers.ts';

/** What the order was submitted with; never changes. */
export type OrderFacts = Omit<RechargeOrderInput, 'resumed'>;

/**
 * The current submission to the carrier: due (the loop sends it next), in
 * flight (routed orders: being routed or sent), answered, given up after
 * every try, or (routed orders) waiting for a supplier to become available.
 */
export type Submission = 'due' | 'running' | 'answered' | 'failed' | 'waiting-for-supplier';

/** An operator retry of an escalated order: the carrier's status is being checked, or it never got the order and a re-submission is due. */
export type RetryCheck = { state: 'none' } | { state: 'checking' | 'cleared'; request: RetryRequest };

/** Where the order is in its life; each stage holds what only it needs. */
export type Stage =
  /** Waiting for the carrier's result until the SLA deadline; a routed order with no supplier available (`waitingForSupplier`) routes again at `routeAgainAtMs`. */
  | { name: 'awaiting-result'; deadlineMs: number; routeAgainAtMs?: number; waitingForSupplier?: boolean }
  /** The deadline passed: asking the carrier's status endpoint. */
  | { name: 'asking-carrier' }
  /** Handed to an operator. */
  | { name: 'escalated'; retry: RetryCheck }
  /** The outcome is decided; the loop writes it, refunds and notifies next. */
  | { name: 'decided'; outcome: OrderOutcome }
  | { name: 'finished'; outcome: OrderOutcome; notifying: boolean };

export interface OrderMachine {
  facts: OrderFacts;
  /** Started under the `supplier-routing` patch: each attempt goes to a supplier chosen for it, with failover. */
  routing: boolean;
  /** What the `orderState` query answers: status, round, carrier order id, review reason, timeline. */
  order: OrderState;
  submission: Submission;
  stage: Stage;
}

/** The patch under which the workflow writes carrier answers itself; before it, the submit activity wrote PROCESSING. */
export const WORKFLOW_RECORDS_CARRIER_ANSWERS = 'workflow-records-carrier-answers';

/**
 * The patch under which the status search attributes move once per batch of
 * view writes, EscalatedAt and FinishedAt with the status (see
 * status-attributes.ts). It implies the earlier patches, which orders
 * started under it never ask for, so a new order carries one patch marker.
 */
export const COALESCED_ORDER_WRITES = 'coalesced-order-writes';

/**
 * The patch under which an order is routed among suppliers, attempt by
 * attempt, with failover (see supplier-rules.ts). It implies
 * `coalesced-order-writes`, which orders started under it never ask for.
 */
export const SUPPLIER_ROUTING = 'supplier-routing';

/** Steps the workflow's main loop takes when `nextStep` says they are due. */
export type LoopStep = 'submit' | 'mark-unknown' | 'resubmit' | 'finish';

/** Everything the order reacts to; `at` is the workflow's time (ms), so the machine itself never reads a clock. */
export type MachineEvent = { at: number } & (
  | { type: 'carrier-answered'; answer: CarrierSubmission & { attempt?: number } }
  | { type: 'carrier-unreachable'; error: string; attempt?: number }
  | { type: 'route-decided'; decision: RouteDecision }
  | { type: 'supplier-answered'; attempt: number; answer: SupplierAnswer & { tries: number } }
  | { type: 'route-again' }
  | { type: 'callback'; callback: CarrierCallback }
  | { type: 'operator-decision'; decision: OperatorDecision }
  | { type: 'status-answered'; purpose: StatusPurpose; answer: CarrierStatus; attempt?: number }
  | { type: 'status-unavailable'; purpose: StatusPurpose; error: string; attempt?: number }
  | { type: 'deadline-reached' }
  | { type: 'step'; step: LoopStep }
  | { type: 'refunded'; result: RefundResult }
  | { type: 'alert-failed'; error: string }
  | { type: 'notification-done'; result: 'DELIVERED' | 'GAVE_UP' }
  | { type: 'continued-as-new' }
);

/** What the machine asks the workflow to do, in order. */
export type OrderCommand =
  /**
   * Writes the event (and the status change, if any) to the order view; a
   * status change also updates the OrderStatus search attribute. `since`
   * marks the writes histories recorded before that patch lack.
   */
  | {
      type: 'write-view';
      event: OrderEvent;
      detail?: Record<string, unknown>;
      transition?: { to: OrderStatus; fields?: TransitionFields };
      since?: typeof WORKFLOW_RECORDS_CARRIER_ANSWERS;
    }
  /** The carrier contradicted the decision: NeedsReview, a warning, and the flag in the view. */
  | { type: 'flag-for-review'; reason: string }
  /** Starts the submission in the background; its answer comes back as carrier-answered or carrier-unreachable. */
  | { type: 'submit'; request: SubmitRechargeInput }
  /** Asks the carrier's status endpoint (routed orders: the attempt's supplier) and waits; the answer comes back as status-answered or status-unavailable. */
  | { type: 'ask-carrier'; purpose: StatusPurpose; attempt?: SupplierAttempt }
  /** Picks a supplier for the next attempt (a local activity); comes back as route-decided. */
  | { type: 'route'; input: RouteInput }
  /** Sends the attempt on its supplier's task queue in the background; comes back as supplier-answered or carrier-unreachable. */
  | { type: 'submit-to-supplier'; request: SupplierAttemptInput; taskQueue: string }
  /** EscalatedAt, the escalation metric and the on-call alert (in the background). */
  | { type: 'announce-escalation'; alert: EscalationAlert }
  /** The compensation of a FAILED order; the result comes back as refunded. */
  | { type: 'refund' }
  /** FinishedAt, once the final status is written; and the outcome's metrics. */
  | { type: 'mark-finished'; outcome: OrderOutcome }
  /** Tells the merchant in the background; comes back as notification-done. */
  | { type: 'notify-merchant' }
  /** Stays open this long for late callbacks that could contradict an operator's decision. */
  | { type: 'linger'; duration: string }
  /** The answer to the operator's Update. */
  | { type: 'reply'; result: DecisionResult };

export interface Decision {
  machine: OrderMachine;
  commands: OrderCommand[];
}

/** A new order: its first submission is due, its deadline counts from when it was accepted. */
export function newOrder(facts: OrderFacts, { routing = false } = {}): OrderMachine {
  return {
    facts,
    routing,
    order: { orderId: facts.orderId, merchantOrderNo: facts.merchantOrderNo, status: OrderStatus.PENDING, round: 1, timeline: [], ...(routing && { attempts: [] }) },
    submission: 'due',
    stage: { name: 'awaiting-result', deadlineMs: Date.parse(facts.submittedAt) + facts.slaSeconds * 1000 },
  };
}

/** An order carried over by continue-as-new: only an escalated order, idle, ever continues. It routes if it did before. */
export function resumedOrder(facts: OrderFacts, order: OrderState): OrderMachine {
  return { facts, routing: order.attempts !== undefined, order, submission: 'answered', stage: { name: 'escalated', retry: { state: 'none' } } };
}
