import { randomUUID } from 'node:crypto';
import { ALLOWED_FROM, OrderStatus } from '../shared/order-status.ts';
import type { Carrier } from '../shared/carriers.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import type { Db } from './prisma.ts';

export interface NewOrder {
  merchantOrderNo: string;
  phone: string;
  carrier: Carrier;
  amountYuan: number;
  notifyUrl?: string | undefined;
}

export interface OrderEventInput {
  key: string;
  type: string;
  detail?: Record<string, unknown>;
}

export interface TransitionInput {
  orderId: string;
  to: OrderStatus;
  /** Statuses the order may be in for the write to apply; defaults to every legal predecessor. */
  from?: readonly OrderStatus[];
  fields?: { carrierOrderId?: string; failureReason?: string; escalatedAt?: Date; finishedAt?: Date; resolvedBy?: string; notifyStatus?: string };
  event: OrderEventInput;
}

export interface ListOrdersFilter {
  status?: OrderStatus;
  olderThanSeconds?: number;
  needsReview?: boolean;
  limit: number;
  after?: { createdAt: Date; id: string };
}

export type OrderRow = NonNullable<Awaited<ReturnType<Db['order']['findUnique']>>>;

/** Reads and writes of the order view. Every write is idempotent and never moves an order backwards. */
export function createOrderRepository(db: Db) {
  const eventRow = (orderId: string, event: OrderEventInput) => ({
    orderId,
    key: event.key,
    type: event.type,
    detail: (event.detail ?? {}) as Prisma.InputJsonValue,
  });

  return {
    /**
     * Inserts the order unless its merchant order number exists; the unique
     * key decides between concurrent submissions, never a prior read.
     */
    async createOrder(input: NewOrder): Promise<{ order: OrderRow; created: boolean }> {
      const id = randomUUID();
      // INSERT ... ON CONFLICT DO NOTHING RETURNING *: a new order comes back without a second read.
      const inserted = await db.$transaction(async (tx) => {
        const [row] = await tx.order.createManyAndReturn({ data: [{ id, ...input }], skipDuplicates: true });
        if (row) await tx.orderEvent.create({ data: eventRow(id, { key: 'submitted', type: 'submitted', detail: { amountYuan: input.amountYuan, carrier: input.carrier } }) });
        return row;
      });
      if (inserted) return { order: inserted, created: true };
      return { order: await db.order.findUniqueOrThrow({ where: { merchantOrderNo: input.merchantOrderNo } }), created: false };
    },

    findById: (id: string) => db.order.findUnique({ where: { id } }),

    findByMerchantOrderNo: (merchantOrderNo: string) => db.order.findUnique({ where: { merchantOrderNo } }),

    listEvents: (orderId: string) => db.orderEvent.findMany({ where: { orderId }, orderBy: { id: 'asc' } }),

    /** Conditional status write plus its history event; returns whether the status changed. */
    async transition({ orderId, to, from = ALLOWED_FROM[to], fields = {}, event }: TransitionInput): Promise<boolean> {
      const [update] = await db.$transaction([
        db.order.updateMany({ where: { id: orderId, status: { in: [...from] } }, data: { status: to, ...fields } }),
        db.orderEvent.createMany({ data: [eventRow(orderId, event)], skipDuplicates: true }),
      ]);
      return update.count === 1;
    },

    async appendEvent(orderId: string, event: OrderEventInput): Promise<void> {
      await db.orderEvent.createMany({ data: [eventRow(orderId, event)], skipDuplicates: true });
    },

    /** Stores a verified carrier callback raw, with a history event, before anything acts on it. */
    async recordCallback(orderId: string, rawBody: string, signature: string, detail: Record<string, unknown>): Promise<string> {
      return db.$transaction(async (tx) => {
        const row = await tx.carrierCallback.create({ data: { orderId, rawBody, signature }, select: { id: true } });
        const callbackId = row.id.toString();
        await tx.orderEvent.create({ data: eventRow(orderId, { key: `callback:${callbackId}`, type: 'callback-received', detail: { callbackId, ...detail } }) });
        return callbackId;
      });
    },

    /** Flags the order for an operator's review (the carrier contradicted its final decision). */
    async flagForReview(orderId: string, reason: string, event: OrderEventInput): Promise<void> {
      await db.$transaction([
        db.order.update({ where: { id: orderId }, data: { needsReview: true, reviewReason: reason } }),
        db.orderEvent.createMany({ data: [eventRow(orderId, event)], skipDuplicates: true }),
      ]);
    },

    /** One delivery attempt of the result notification to the merchant. */
    async recordNotificationAttempt(orderId: string, { key, attempt, error }: { key: string; attempt: number; error?: string }): Promise<void> {
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
        db.orderEvent.createMany({ data: [eventRow(orderId, { key, type: delivered ? 'merchant-notified' : 'merchant-notify-failed', detail: { attempt, ...(error && { error }) } })], skipDuplicates: true }),
      ]);
    },

    async recordNotificationGaveUp(orderId: string, reason: string): Promise<void> {
      await db.order.updateMany({ where: { id: orderId, notifyStatus: { not: 'DELIVERED' } }, data: { notifyStatus: 'GAVE_UP', notifyLastError: reason } });
    },

    /**
     * Orders in a status, oldest first, optionally only those created more than
     * `olderThanSeconds` ago; `after` pages on from the last order of a page.
     */
    listOrders: ({ status, olderThanSeconds, needsReview, limit, after }: ListOrdersFilter) =>
      db.order.findMany({
        where: {
          ...(status && { status }),
          ...(needsReview !== undefined && { needsReview }),
          ...(olderThanSeconds !== undefined && { createdAt: { lt: new Date(Date.now() - olderThanSeconds * 1000) } }),
          ...(after && { OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }] }),
        },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: limit,
      }),
  };
}

export type OrderRepository = ReturnType<typeof createOrderRepository>;
