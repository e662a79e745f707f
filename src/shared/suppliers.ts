/**
 * What the order workflow, the worker and the API agree on about upstream
 * suppliers: their task queues, request ids, and the contracts of the
 * routing and supplier activities. Workflow-safe: no Node imports.
 */
import type { Carrier } from './carriers.ts';
import type { CarrierStatus } from './carrier-protocol.ts';
import type { StatusPurpose } from './order-activities.ts';
import type { Speed } from './speeds.ts';

/**
 * Each supplier's calls run on a task queue of their own, so the server's
 * per-queue rate limit (`maxTaskQueueActivitiesPerSecond`) holds across every
 * worker, and a burst waits in the queue instead of failing.
 */
export function supplierTaskQueue(supplierId: string): string {
  return `supplier-${supplierId}`;
}

/** The request id one attempt sends its supplier, which de-duplicates on it: `<orderId>-<attempt>`. */
export function supplierRequestId(orderId: string, attempt: number): string {
  return `${orderId}-${attempt}`;
}

/** The order and attempt a supplier's request id belongs to, or undefined if it is not one of ours. */
export function parseSupplierRequestId(requestId: string): { orderId: string; attempt: number } | undefined {
  const match = /^(.+)-(\d{1,4})$/.exec(requestId);
  return match ? { orderId: match[1] as string, attempt: Number(match[2]) } : undefined;
}

export const BreakerState = { CLOSED: 'CLOSED', OPEN: 'OPEN', HALF_OPEN: 'HALF_OPEN' } as const;
export type BreakerState = (typeof BreakerState)[keyof typeof BreakerState];

export interface RouteInput {
  orderId: string;
  carrier: Carrier;
  amountYuan: number;
  /** Only suppliers serving the number's province and the order's speed take it (absent on older orders: any province, fast). */
  province?: string;
  speed?: Speed;
  /** The attempt this route is for (1, 2, ...): its request id is `<orderId>-<attempt>`. */
  attempt: number;
  /** Suppliers that definitively did not credit the phone in this round: never asked again. */
  declined: string[];
  /** Suppliers that just said they never received an attempt (down, most likely): tried last, after every other. */
  resting: string[];
}

/** Why a supplier was passed over; `lasting` reasons hold for this order whatever happens later. */
export interface SkippedSupplier {
  supplierId: string;
  reason: string;
  lasting: boolean;
}

/** The supplier of an attempt: its request goes to `taskQueue` with `requestId`. */
export interface ChosenRoute {
  kind: 'chosen';
  supplierId: string;
  taskQueue: string;
  requestId: string;
  costFen: number;
  probe: boolean;
  skipped: SkippedSupplier[];
}

/** The route to `candidate` for the order's attempt, with the suppliers passed over. */
export function chosen(
  { orderId, attempt }: Pick<RouteInput, 'orderId' | 'attempt'>,
  candidate: { supplierId: string; costFen: number; probe: boolean },
  skipped: SkippedSupplier[],
): ChosenRoute {
  return {
    kind: 'chosen',
    supplierId: candidate.supplierId,
    taskQueue: supplierTaskQueue(candidate.supplierId),
    requestId: supplierRequestId(orderId, attempt),
    costFen: candidate.costFen,
    probe: candidate.probe,
    skipped,
  };
}

export type RouteDecision =
  | ChosenRoute
  /** Every supplier is out for good for this order (declined it, does not sell the product, costs more than the merchant pays). */
  | { kind: 'none-left'; skipped: SkippedSupplier[] }
  /** Some could take it later (breaker open, disabled, out of balance): the order waits and routes again. */
  | { kind: 'none-now'; skipped: SkippedSupplier[] };

export interface RoutingActivities {
  routeOrder(input: RouteInput): Promise<RouteDecision>;
}

/** One attempt at one supplier, as the workflow sends it. */
export interface SupplierAttemptInput {
  orderId: string;
  supplierId: string;
  requestId: string;
  phone: string;
  carrier: Carrier;
  amountYuan: number;
  round: number;
  attempt: number;
  /** The call is its supplier's circuit-breaker probe. */
  probe?: boolean;
}

/**
 * A supplier's answer to an attempt: it took the order, or it definitively
 * did not credit the phone (a business refusal, or its status endpoint says it
 * never got the request). A fault throws, and Temporal retries.
 */
export type SupplierAnswer =
  | { outcome: 'accepted'; carrierOrderId: string }
  /** `neverReceived`: its status endpoint does not know the request (a fault kept it from arriving). */
  | { outcome: 'declined'; reason: string; neverReceived?: boolean };

export interface SupplierStatusInput {
  orderId: string;
  supplierId: string;
  requestId: string;
  /** Workflow-chosen key, so a retried activity records the query once. */
  eventKey: string;
  purpose: StatusPurpose;
}

/**
 * What the submit activity reports: the answer, the try it came at, and
 * whether it wrote an acceptance to the order view itself (the event and,
 * for a PENDING order, the move to PROCESSING), so the workflow need not.
 */
export type SubmitResult = SupplierAnswer & { tries: number; recorded?: boolean };

/** The activities that run on a supplier's own task queue. */
export interface SupplierActivities {
  submitToSupplier(input: SupplierAttemptInput): Promise<SubmitResult>;
  querySupplierStatus(input: SupplierStatusInput): Promise<CarrierStatus>;
}
