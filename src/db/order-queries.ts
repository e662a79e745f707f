import type { OrderStatus } from '../shared/order-status.ts';
import type { ListOrdersFilter, OrderStory } from './order-repository.ts';
import { sqlPool, type Db } from './prisma.ts';

/** Orders in a status, oldest first, a page at a time. */
function listOrderPage(db: Db, { status, olderThanSeconds, needsReview, limit, after }: ListOrdersFilter) {
  return db.order.findMany({
    where: {
      ...(status && { status }),
      ...(needsReview !== undefined && { needsReview }),
      ...(olderThanSeconds !== undefined && { createdAt: { lte: new Date(Date.now() - olderThanSeconds * 1000) } }),
      ...(after && {
        OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }],
      }),
    },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    take: limit,
  });
}

/** Reads and writes of the order view. Every write is idempotent and never moves an order backwards. */
async function findStory(db: Db, id: string): Promise<OrderStory | undefined> {
  const found = await db.order.findUnique({
    where: { id },
    include: { events: { orderBy: { id: 'asc' } }, ledgerEntries: { orderBy: { id: 'asc' } } },
  });
  if (!found) return undefined;
  const { events, ledgerEntries, ...order } = found;
  return { order, history: events, money: ledgerEntries };
}

/**
 * The order's version, for merchants' conditional polls (ETag): a change of
 * any column the merchant sees (`updated_at` moves with every write), a new
 * history event or a new money entry (both only ever added, so counted)
 * changes it. Only what the merchant sees is hashed: a hash of the supplier
 * and its cost could be guessed back from their few possible values. One prepared statement on the orders key and the two
 * tables' order indexes, straight on the pool (no ORM layer: polls are the
 * API's most frequent request), far cheaper than reading the story.
 * Undefined: no such order.
 */
async function versionOf(db: Db, id: string): Promise<{ merchantId: string | null; version: string } | undefined> {
  const { rows } = await sqlPool(db).query<{ merchantId: string | null; version: string }>({
    name: 'order-version',
    text: `SELECT o.merchant_id AS "merchantId",
        md5(row(o.merchant_order_no, o.phone, o.carrier, o.amount_yuan, o.cost_fen, o.notify_url, o.status,
          o.carrier_order_id, o.failure_reason, o.escalated_at, o.finished_at, o.resolved_by, o.needs_review,
          o.review_reason, o.notify_status, o.notify_attempts, o.notify_last_error, o.notified_at, o.created_at,
          o.updated_at)::text) || '.' || (SELECT count(*) FROM order_events e WHERE e.order_id = o.id)
          || '.' || (SELECT count(*) FROM ledger_entries l WHERE l.order_id = o.id) AS version
      FROM orders o WHERE o.id = $1`,
    values: [id],
  });
  return rows[0];
}

/** The reads of the orders: by id, by the merchant's number, with their story, by status and age, and counts for the metrics. */
export function orderQueries(db: Db) {
  return {
    findById: (id: string) => db.order.findUnique({ where: { id } }),

    /** The order with the secret that signs its result notification. */
    findWithMerchantSecret: (id: string) =>
      db.order.findUnique({ where: { id }, include: { merchant: { select: { callbackSecret: true } } } }),

    findByMerchantOrderNo: (merchantId: string, merchantOrderNo: string) =>
      db.order.findUnique({ where: { merchantId_merchantOrderNo: { merchantId, merchantOrderNo } } }),

    /** The order with its history and money entries, in one query: merchants poll it. */
    findStory: (id: string) => findStory(db, id),

    /** The order's version, for conditional polls: see versionOf. */
    versionOf: (id: string) => versionOf(db, id),

    /** Orders accepted at or before `acceptedBy` whose workflow may not have started, oldest first. */
    listNotStarted: ({ acceptedBy, limit }: { acceptedBy: Date; limit: number }) =>
      db.order.findMany({
        where: { workflowStartedAt: null, createdAt: { lte: acceptedBy } },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: limit,
      }),

    /** Orders in a status, oldest first: see listOrderPage. */
    listOrders: (filter: ListOrdersFilter) => listOrderPage(db, filter),

    /** Orders in one status (an index lookup: the metrics read ESCALATED at every scrape). */
    countWithStatus: (status: OrderStatus) => db.order.count({ where: { status } }),

    /** Orders whose merchant is still being told the result (indexed, read at every scrape). */
    countNotificationsPending: () => db.order.count({ where: { notifyStatus: 'SENDING' } }),
  };
}
