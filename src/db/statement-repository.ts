import type { Prisma } from '../generated/prisma/client.ts';
import type { Db } from './prisma.ts';

/** A ledger entry as a statement line needs it, with its order's merchantOrderNo. */
export interface StatementEntryRow {
  id: bigint;
  merchantId: string;
  type: string;
  creditAccount: string;
  amountFen: bigint;
  balanceAfterFen: bigint;
  orderId: string | null;
  merchantOrderNo: string | null;
  createdAt: Date;
}

/** What a statement is issued from: the merchant's time zone and when it was created (its first day). */
export interface StatementMerchant {
  id: string;
  timeZone: string;
  createdAt: Date;
}

export interface NewStatement {
  merchantId: string;
  date: string;
  timeZone: string;
  openingBalanceFen: bigint;
  closingBalanceFen: bigint;
  lastEntryId: bigint | null;
  lines: Prisma.InputJsonValue;
  issuedBy: 'schedule' | 'read';
}

export type StoredStatement = NonNullable<Awaited<ReturnType<Db['merchantStatement']['findUnique']>>>;

const dayOf = (date: string) => new Date(`${date}T00:00:00Z`);
/** A stored statement's date as YYYY-MM-DD. */
export const statementDate = (statement: Pick<StoredStatement, 'date'>) => statement.date.toISOString().slice(0, 10);

/** Later than any ledger entry: a partial statement takes every entry there is. */
const NO_BOUND = new Date(8_000_000_000_000_000);

/**
 * The merchants' issued statements (insert-once: the table refuses updates and
 * deletes) and the ledger reads they are made from.
 */
export function createStatementRepository(db: Db) {
  return {
    merchant: (id: string): Promise<StatementMerchant | null> =>
      db.merchant.findUnique({ where: { id }, select: { id: true, timeZone: true, createdAt: true } }),

    /** A page of merchants in id order, for the schedule's issuing. */
    merchantsAfter: (after: string, limit: number): Promise<StatementMerchant[]> =>
      db.merchant.findMany({
        where: { id: { gt: after } },
        select: { id: true, timeZone: true, createdAt: true },
        orderBy: { id: 'asc' },
        take: limit,
      }),

    find: (merchantId: string, date: string) =>
      db.merchantStatement.findUnique({ where: { merchantId_date: { merchantId, date: dayOf(date) } } }),

    /** The merchant's latest issued statement (statements are issued day after day, with no gap). */
    latest: (merchantId: string) =>
      db.merchantStatement.findFirst({ where: { merchantId }, orderBy: { date: 'desc' } }),

    /**
     * The merchant's entries after `afterId` up to the last one created before `before` (every entry
     * there is without it), in id order, in one statement (one snapshot). An entry created before
     * `before` but with a larger id than a later-created one comes along with it: see docs/money.md.
     */
    entriesAfter: (merchantId: string, afterId: bigint, before: Date | undefined) =>
      db.$queryRaw<StatementEntryRow[]>`
        WITH cut AS (
          SELECT max(id) AS id FROM ledger_entries
          WHERE merchant_id = ${merchantId} AND id > ${afterId} AND created_at < ${before ?? NO_BOUND}
        )
        SELECT e.id, e.merchant_id AS "merchantId", e.type::text AS type, e.credit_account AS "creditAccount",
          e.amount_fen AS "amountFen", e.balance_after_fen AS "balanceAfterFen", e.order_id AS "orderId",
          o.merchant_order_no AS "merchantOrderNo", e.created_at AS "createdAt"
        FROM cut, ledger_entries e LEFT JOIN orders o ON o.id = e.order_id
        WHERE e.merchant_id = ${merchantId} AND e.id > ${afterId} AND e.id <= cut.id
        ORDER BY e.id`,

    /** Stores the statement unless one of that merchant and day is stored already; whether this one was. */
    async insertOnce(statement: NewStatement): Promise<boolean> {
      const { count } = await db.merchantStatement.createMany({
        data: [{ ...statement, date: dayOf(statement.date) }],
        skipDuplicates: true,
      });
      return count === 1;
    },
  };
}

export type StatementRepository = ReturnType<typeof createStatementRepository>;
