/**
 * Everything the API, the worker and the workflow must agree on: task queue,
 * workflow id, input, signals and queries. Workflow-safe: no Node imports.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Carrier } from './carriers.ts';
import type { OrderResultStatus } from './carrier-protocol.ts';
import type { DecisionResult, OperatorDecision, ResolveRequest, RetryRequest } from './operator-actions.ts';
import type { OrderEvent } from './order-events.ts';
import type { OrderStatus } from './order-status.ts';
import type { Speed } from './speeds.ts';
import type { ChosenRoute } from './suppliers.ts';

export const TASK_QUEUE = 'recharge-orders';
export const WORKFLOW_TYPE = 'rechargeOrder';
export const NOTIFICATION_WORKFLOW_TYPE = 'merchantNotification';

/** One workflow per order; the order id is itself decided by the merchant order number's unique key. */
export function orderWorkflowId(orderId: string): string {
  return `recharge-order-${orderId}`;
}

export interface RechargeOrderInput {
  orderId: string;
  /** The merchant that pays for the order; absent on orders started before merchant accounts. */
  merchantId?: string;
  merchantOrderNo: string;
  phone: string;
  carrier: Carrier;
  amountYuan: number;
  /** The number's province and city; absent on orders from before number segments. */
  province?: string;
  city?: string;
  /** Absent on orders from before speeds: fast. */
  speed?: Speed;
  /** ISO time the order was accepted; the SLA deadline counts from here. */
  submittedAt: string;
  /** The SLA of the order's speed: a slow order's is a day (SLOW_SLA_SECONDS), a fast one's minutes. */
  slaSeconds: number;
  /** Set when the merchant wants the final result POSTed to it. */
  notifyUrl?: string;
  /** The first attempt's supplier, chosen where the workflow was started; absent: the workflow routes it. */
  firstRoute?: ChosenRoute;
  /** State carried over by continue-as-new; absent on a new order. */
  resumed?: { state: OrderState; eventSeq: number };
}

/** One workflow per re-send of an order's result notification requested by an admin. */
export function notificationWorkflowId(orderId: string): string {
  return `merchant-notification-${orderId}`;
}

/** A verified carrier callback, as forwarded by the API. */
export interface CarrierCallback {
  /** Row id of the raw callback record, so the timeline points at the evidence. */
  callbackId: string;
  /** The supplier that sent it and the attempt's request id; absent on callbacks of orders sent before suppliers. */
  supplierId?: string;
  requestId?: string;
  carrierOrderId: string;
  status: OrderResultStatus;
  reason?: string;
  timestamp: string;
}

export interface TimelineEntry {
  at: string;
  type: OrderEvent;
  detail?: Record<string, unknown>;
}

export interface OrderState {
  orderId: string;
  merchantOrderNo: string;
  status: OrderStatus;
  /** 1 for the first submission to the carrier, +1 for each operator retry. */
  round: number;
  carrierOrderId?: string;
  failureReason?: string;
  escalatedAt?: string;
  /** The carrier contradicted the final decision; an operator must look. */
  reviewReason?: string;
  /** The supplier that took the order, and every attempt, oldest first. */
  supplierId?: string;
  attempts: SupplierAttempt[];
  timeline: TimelineEntry[];
}

/**
 * One request to one supplier. `sent` until it answers; `declined` once the
 * supplier has definitively not credited the phone (refusal, FAILED result,
 * or its status endpoint never got it); `unknown` when every try faulted.
 */
export interface SupplierAttempt {
  attempt: number;
  round: number;
  supplierId: string;
  requestId: string;
  taskQueue: string;
  costFen: number;
  /** It went through its supplier's half-open breaker: its answer closes or reopens it. */
  probe?: boolean;
  state: 'sent' | 'accepted' | 'declined' | 'unknown';
  /** `restingUntil`: it never received the attempt, so until then (ms) it is tried after every other supplier. */
  declined?: { reason: string; resolvedBy: OrderOutcome['resolvedBy']; restingUntil?: number };
}

export interface OrderOutcome {
  status: 'SUCCEEDED' | 'FAILED';
  carrierOrderId?: string;
  reason?: string;
  /** `no-supplier`: no supplier could take the order. */
  resolvedBy: 'carrier-callback' | 'carrier-refusal' | 'carrier-status' | 'operator' | 'no-supplier';
  /** The supplier that credited a SUCCEEDED routed order, whose cost is booked. */
  supplierId?: string;
}

export const carrierCallbackSignal = defineSignal<[CarrierCallback]>('carrierCallback');
export const orderStateQuery = defineQuery<OrderState>('orderState');
/** Operator actions as Updates: validated synchronously, the caller learns the result. */
export const resolveOrderUpdate = defineUpdate<DecisionResult, [ResolveRequest]>('resolveOrder');
export const retryOrderUpdate = defineUpdate<DecisionResult, [RetryRequest]>('retryOrder');
/** The same decisions as a signal, for tools that can only signal; a refused one is recorded and changes nothing. */
export const operatorDecisionSignal = defineSignal<[OperatorDecision]>('operatorDecision');
