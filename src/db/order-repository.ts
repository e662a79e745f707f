import { OrderEvent } from '../shared/order-events.ts';
import { ALLOWED_FROM, OrderStatus } from '../shared/order-status.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import type { LedgerEntryRow } from './ledger-repository.ts';
import { createOrderWithDebit, type NewOrder } from './order-admission.ts';
import { orderQueries } from './order-queries.ts';
import { recordAcceptance, type AcceptanceInput } from './order-acceptance.ts';
import { refusedCallbackStore } from './refused-callbacks.ts';
import { preparedSql, type Db, type PreparedSql } from './prisma.ts';

export type { CreateOrderResult, NewOrder } from './order-admission.ts';

export interface OrderEventInput {
  key: string;
  type: OrderEvent;
  detail?: Record<string, unknown>;
}

export interface TransitionInput {
  orderId: string;
  to: OrderStatus;
  /** Statuses the order may be in for the write to apply; defaults to every legal predecessor. */
  from?: readonly OrderStatus[];
  fields?: {
    carrierOrderId?: string;
    failureReason?: string;
    escalatedAt?: Date;
    finishedAt?: Date;
    resolvedBy?: string;
    notifyStatus?: string;
    supplierId?: string;
    supplierCostFen?: number;
  };
  event: OrderEventInput;
}

export interface ListOrdersFilter {
  status?: OrderStatus;
  olderThanSeconds?: number;
  needsReview?: boolean;
  limit: number;
  after?: { createdAt: Date; id: string };
}

/** A stored carrier callback, with the order's status and who decided it (null while undecided, and on old rows). */
export interface RecordedCallback {
  callbackId: string;
  orderStatus: OrderStatus;
  resolvedBy: string | null;
  /** The supplier that took the order, if it was routed. */
  supplierId: string | null;
}

export type OrderRow = NonNullable<Awaited<ReturnType<Db['order']['findUnique']>>>;
export type OrderEventRow = NonNullable<Awaited<ReturnType<Db['orderEvent']['findUnique']>>>;

/** An order with its whole story: its history events and its money entries. */
export interface OrderStory {
  order: OrderRow;
  history: OrderEventRow[];
  money: LedgerEntryRow[];
}

const eventRow = (orderId: string, event: OrderEventInput) => ({
  orderId,
  key: event.key,
  type: event.type,
  detail: (event.detail ?? {}) as Prisma.InputJsonValue,
});

/**
 * Conditional status write plus its history event, as one statement (one
 * round trip, atomic without a transaction); returns whether the status
 * changed. Unset fields keep their value.
 */
async function transitionOrder(
  sql: PreparedSql,
  { orderId, to, from = ALLOWED_FROM[to], fields = {}, event }: TransitionInput,
): Promise<boolean> {
  const [row] = await sql<{ changed: number }>`
    WITH changed AS (
      UPDATE orders SET
        status = ${to}::"OrderStatus",
        carrier_order_id = COALESCE(${fields.carrierOrderId ?? null}, carrier_order_id),
        failure_reason = COALESCE(${fields.failureReason ?? null}, failure_reason),
        escalated_at = COALESCE(${fields.escalatedAt ?? null}::timestamptz, escalated_at),
        finished_at = COALESCE(${fields.finishedAt ?? null}::timestamptz, finished_at),
        resolved_by = COALESCE(${fields.resolvedBy ?? null}, resolved_by),
        notify_status = COALESCE(${fields.notifyStatus ?? null}, notify_status),
        supplier_id = COALESCE(${fields.supplierId ?? null}, supplier_id),
        supplier_cost_fen = COALESCE(${fields.supplierCostFen ?? null}::bigint, supplier_cost_fen),
        updated_at = ${new Date()}
      WHERE id = ${orderId} AND status::text = ANY(${[...from]})
      RETURNING 1
    ), recorded AS (
      INSERT INTO order_events (order_id, key, type, detail)
      VALUES (${orderId}, ${event.key}, ${event.type}, ${JSON.stringify(event.detail ?? {})}::jsonb)
      ON CONFLICT (order_id, key) DO NOTHING
    )
    SELECT count(*)::int AS changed FROM changed`;
  return row?.changed === 1;
}

interface NotificationAttempt {
  key: string;
  attempt: number;
  error?: string;
}

/** One delivery attempt of the result notification to the merchant. */
async function recordNotificationAttempt(
  db: Db,
  orderId: string,
  { key, attempt, error }: NotificationAttempt,
): Promise<void> {
  const delivered = error === undefined;
  await db.$transaction([
    db.order.update({
      where: { id: orderId },
      data: {
        notifyStatus: delivered ? 'DELIVERED' : 'SENDING',
        notifyAttempts: { increment: 1 },
        notifyLastError: error ?? null,
        ...(delivered && { notifiedAt: new Date() }),
      },
    }),
    db.orderEvent.createMany({
      data: [
        eventRow(orderId, {
          key,
          type: delivered ? OrderEvent.MERCHANT_NOTIFIED : OrderEvent.MERCHANT_NOTIFY_FAILED,
          detail: { attempt, ...(error && { error }) },
        }),
      ],
      skipDuplicates: true,
    }),
  ]);
}

/**
 * Stores a verified carrier callback raw, with a history event, before
 * anything acts on it; one statement that also reads the order's status
 * and who decided it. Undefined, and nothing stored, when there is no such order.
 */
async function storeCallback(
  sql: PreparedSql,
  {
    orderId,
    rawBody,
    signature,
    detail,
  }: { orderId: string; rawBody: string; signature: string; detail: Record<string, unknown> },
): Promise<RecordedCallback | undefined> {
  const [row] = await sql<RecordedCallback>`
    WITH target AS (
      SELECT id, status, resolved_by, supplier_id FROM orders WHERE id = ${orderId}
    ), callback AS (
      INSERT INTO carrier_callbacks (order_id, raw_body, signature) SELECT id, ${rawBody}, ${signature} FROM target RETURNING id
    ), recorded AS (
      INSERT INTO order_events (order_id, key, type, detail)
      SELECT ${orderId}, 'callback:' || id, ${OrderEvent.CALLBACK_RECEIVED}, jsonb_build_object('callbackId', id::text) || ${JSON.stringify(detail)}::jsonb FROM callback
    )
    SELECT callback.id::text AS "callbackId", target.status::text AS "orderStatus", target.resolved_by AS "resolvedBy", target.supplier_id AS "supplierId" FROM target, callback`;
  return row;
}

/**
 * Orders in a status, oldest first, optionally only those created at least
 * `olderThanSeconds` ago; `after` pages on from the last order of a page.
 */
/** The orders: their writes here, their reads in order-queries.ts. */
export function createOrderRepository(db: Db) {
  // The statements every order runs, prepared on the pool.
  const sql = preparedSql(db);
  return {
    ...orderQueries(db),
    /** Accepts an order and debits its cost in one statement: see createOrderWithDebit. */
    createOrder: (input: NewOrder) => createOrderWithDebit(db, input),

    /** Conditional status write plus its history event; whether the status changed. */
    transition: (input: TransitionInput) => transitionOrder(sql, input),

    /** A supplier's acceptance, written by the submit activity: see recordAcceptance. */
    recordAcceptance: (input: AcceptanceInput) => recordAcceptance(sql, input),

    async appendEvent(orderId: string, event: OrderEventInput): Promise<void> {
      await db.orderEvent.createMany({ data: [eventRow(orderId, event)], skipDuplicates: true });
    },

    ...refusedCallbackStore(db),

    /** Stores a verified carrier callback raw, with its history event: see storeCallback. */
    recordCallback: (orderId: string, rawBody: string, signature: string, detail: Record<string, unknown>) =>
      storeCallback(sql, { orderId, rawBody, signature, detail }),

    /** Flags the order for an operator's review (the carrier contradicted its final decision). */
    async flagForReview(orderId: string, reason: string, event: OrderEventInput): Promise<void> {
      await db.$transaction([
        db.order.update({ where: { id: orderId }, data: { needsReview: true, reviewReason: reason } }),
        db.orderEvent.createMany({ data: [eventRow(orderId, event)], skipDuplicates: true }),
      ]);
    },

    /** One delivery attempt of the result notification to the merchant. */
    recordNotificationAttempt: (orderId: string, attempt: NotificationAttempt) =>
      recordNotificationAttempt(db, orderId, attempt),

    recordNotificationGaveUp: async (orderId: string, reason: string) =>
      void (await db.order.updateMany({
        where: { id: orderId, notifyStatus: { not: 'DELIVERED' } },
        data: { notifyStatus: 'GAVE_UP', notifyLastError: reason },
      })),

    /** Records that a start of the order's workflow succeeded (the first such time is kept). */
    async markWorkflowStarted(orderId: string): Promise<void> {
      await sql`UPDATE orders SET workflow_started_at = ${new Date()} WHERE id = ${orderId} AND workflow_started_at IS NULL`;
    },
  };
}

export type OrderRepository = ReturnType<typeof createOrderRepository>;
