import type { OrderStatus } from '../shared/order-status.ts';
import type { ListOrdersFilter, OrderStory } from './order-repository.ts';
import type { Db } from './prisma.ts';

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
