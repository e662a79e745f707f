/**
 * The order's life as data: where it is (one `Stage`), the events it reacts
 * to and the commands it asks the workflow to carry out. Pure types and
 * constructors, free of Temporal, so the machine runs in unit tests as it
 * runs in a workflow.
 */
import type { CarrierStatus } from '../../shared/carrier-protocol.ts';
import type { DecisionResult, OperatorDecision, RetryRequest } from '../../shared/operator-actions.ts';
import type { RefundResult, StatusPurpose, TransitionFields } from '../../shared/order-activities.ts';
import type { OrderEvent } from '../../shared/order-events.ts';
import { OrderStatus } from '../../shared/order-status.ts';
import type {
  CarrierCallback,
  OrderOutcome,
  OrderState,
  RechargeOrderInput,
  SupplierAttempt,
} from '../../shared/order-workflow.ts';
import type { RouteDecision, SubmitResult } from '../../shared/suppliers.ts';

/** What the order was submitted with; never changes. */
export type OrderFacts = Omit<RechargeOrderInput, 'resumed'>;

/** The SLA deadline (ms) of the stages that wait for a supplier's result. */
type BeforeDeadline = { deadlineMs: number };

/**
 * Where the order is, and what only that stage needs. Before the SLA
 * deadline an order moves among suppliers (routing → sending → awaiting the
 * result, or on to the next supplier); at the deadline its supplier is asked
 * for the status; then an operator decides. `sending` names an attempt whose
 * submit activity is still running.
 */
export type Stage =
  /** The router is choosing the next attempt's supplier; `again`: after waiting for one. */
  | ({ name: 'routing'; again?: true } & BeforeDeadline)
  /** No supplier can take the order now: it routes again at `retryAtMs`. */
  | ({ name: 'waiting-for-supplier'; retryAtMs: number } & BeforeDeadline)
  /** The attempt is being sent to its supplier (the submit activity retries faults). */
  | ({ name: 'sending'; attempt: number } & BeforeDeadline)
  /** The supplier took the attempt: its result (a callback) is awaited. */
  | ({ name: 'awaiting-result'; attempt: number } & BeforeDeadline)
  /** Every try of the attempt faulted: whether the supplier has it is unknown until the deadline's status question. */
  | ({ name: 'unknown'; attempt: number } & BeforeDeadline)
  /** The deadline passed: the attempt's supplier is asked for the status. */
  | { name: 'asking-supplier'; attempt: number; sending?: number }
  /** An operator's turn; `retry`: an operator's retry, while its attempt's status is checked; `alerting`: the on-call alert is being sent. */
  | { name: 'escalated'; sending?: number; retry?: RetryCheck; alerting: boolean }
  /** Decided and written; the refund and the merchant's notification may still run; after an operator's decision, it stays open until `lingerUntilMs`. */
  | { name: 'finished'; outcome: OrderOutcome; refunding: boolean; notifying: boolean; lingerUntilMs?: number };

export type StageName = Stage['name'];

/** An operator's retry whose attempt's supplier is asked whether it ever got the order; `replyTo` is the Update waiting for the answer. */
export interface RetryCheck {
  request: RetryRequest;
  attempt: number;
  replyTo?: string;
}

export interface OrderMachine {
  facts: OrderFacts;
  /** What the `orderState` query answers and the view shows: status, round, attempts, timeline. */
  order: OrderState;
  stage: Stage;
}

/** Everything the order reacts to, as handlers and activities report it. */
export type EventBody =
  | { type: 'started' }
  | { type: 'route-decided'; decision: RouteDecision }
  | { type: 'route-again' }
  | { type: 'supplier-answered'; attempt: number; answer: SubmitResult }
  | { type: 'supplier-unreachable'; attempt: number; error: string }
  | { type: 'callback'; callback: CarrierCallback }
  | { type: 'status-answered'; purpose: StatusPurpose; attempt: number; answer: CarrierStatus }
  | { type: 'status-unavailable'; purpose: StatusPurpose; attempt: number; error: string }
  | { type: 'deadline-reached' }
  /** `replyTo`: the Update waiting for the answer; a decision sent as a signal has none. */
  | { type: 'operator-decision'; decision: OperatorDecision; replyTo?: string }
  | { type: 'alert-sent' }
  | { type: 'alert-failed'; error: string }
  | { type: 'refunded'; result: RefundResult }
  | { type: 'notification-done'; result: 'DELIVERED' | 'GAVE_UP' }
  | { type: 'linger-over' }
  | { type: 'continued-as-new' };

/** An event as the machine takes it: `at` is the workflow's time (ms), so the machine itself never reads a clock. */
export type MachineEvent = { at: number } & EventBody;

export type MachineEventType = MachineEvent['type'];

/** What the machine asks the workflow to do, in order. */
export type OrderCommand =
  /**
   * Writes the event (and the status change, if any) to the order view; a
   * status change moves the status search attributes too. `written`: an
   * activity wrote it already; only the search attributes follow, with the
   * next status change that moves them anyway (an upsert fewer per order).
   */
  | {
      type: 'write-view';
      event: OrderEvent;
      detail?: Record<string, unknown>;
      transition?: { to: OrderStatus; fields?: TransitionFields };
      written?: true;
    }
  /** The carrier contradicted the decision: NeedsReview, a warning, and the flag in the view. */
  | { type: 'flag-for-review'; reason: string }
  /** Asks the router for attempt `attempt`'s supplier, leaving out those that declined (a local activity); comes back as route-decided. */
  | { type: 'route'; attempt: number; declined: string[]; resting: string[] }
  /** Sends the attempt on its supplier's task queue; comes back as supplier-answered or supplier-unreachable. */
  | { type: 'submit-to-supplier'; attempt: SupplierAttempt }
  /** Asks the attempt's supplier for the status; comes back as status-answered or status-unavailable. */
  | { type: 'ask-supplier'; purpose: StatusPurpose; attempt: SupplierAttempt }
  /** The escalation metric and the on-call alert; comes back as alert-sent or alert-failed. */
  | { type: 'announce-escalation'; escalatedAt: string }
  /** Gives a FAILED order's cost back; comes back as refunded. */
  | { type: 'refund' }
  /** The outcome's metrics, once its final status is written. */
  | { type: 'mark-finished'; outcome: OrderOutcome }
  /** Tells the merchant; comes back as notification-done. */
  | { type: 'notify-merchant' }
  /** The answer to the operator's Update: the result, or why it was refused. */
  | { type: 'reply'; to: string; result: DecisionResult | { refused: string } };

export interface Decision {
  machine: OrderMachine;
  commands: OrderCommand[];
}

/** A new order, about to be routed; its deadline counts from when it was accepted. */
export function newOrder(facts: OrderFacts): OrderMachine {
  return {
    facts,
    order: {
      orderId: facts.orderId,
      merchantOrderNo: facts.merchantOrderNo,
      status: OrderStatus.PENDING,
      round: 1,
      attempts: [],
      timeline: [],
    },
    stage: { name: 'routing', deadlineMs: Date.parse(facts.submittedAt) + facts.slaSeconds * 1000 },
  };
}

/** An order carried over by continue-as-new: only an escalated order, idle, ever continues. */
export function resumedOrder(facts: OrderFacts, order: OrderState): OrderMachine {
  return { facts, order, stage: { name: 'escalated', alerting: false } };
}
