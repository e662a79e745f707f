import type { StatementMerchant, StatementRepository, StoredStatement } from '../db/statement-repository.ts';
import { statementDate } from '../db/statement-repository.ts';
import { addDays } from '../shared/calendar-days.ts';
import { endOfLocalDay, localDateOf } from './local-day.ts';
import { linesOf, storedStatement, type Statement } from './statement.ts';

export type StatementResult =
  | { kind: 'statement'; statement: Statement }
  | { kind: 'no-merchant' }
  /** The day is not over in the merchant's time zone (ask for a partial statement). */
  | { kind: 'day-not-closed'; closesAt: Date }
  /** The day has not begun in the merchant's time zone. */
  | { kind: 'day-not-started' };

export interface StatementServiceDeps {
  statements: StatementRepository;
  /** The time that decides which days are over (tests move it). */
  clock?: () => Date;
}

type IssuedBy = 'schedule' | 'read';

/**
 * A day is issued only this long after its local midnight: an entry whose time was taken at 23:59:59.9 and
 * that commits a moment later is then on its own day (a slower one is on the next statement, at its own time).
 */
const SETTLE_MS = 5 * 60_000;

/** The last day of the merchant's that is closed for statements, at `now`. */
const lastClosedDay = (timeZone: string, now: Date) =>
  addDays(localDateOf(timeZone, new Date(now.getTime() - SETTLE_MS)), -1);

type Statements = StatementRepository;

/** Issues one day after `previous` (the merchant's latest statement, or none); the statement stored for it. */
async function issueDay(
  statements: Statements,
  merchant: StatementMerchant,
  date: string,
  previous: StoredStatement | null,
  issuedBy: IssuedBy,
): Promise<StoredStatement> {
  const openingFen = previous?.closingBalanceFen ?? 0n;
  const afterId = previous?.lastEntryId ?? 0n;
  const rows = await statements.entriesAfter(merchant.id, afterId, endOfLocalDay(merchant.timeZone, date));
  const { lines, closingFen } = linesOf(merchant.timeZone, openingFen, rows);
  await statements.insertOnce({
    merchantId: merchant.id,
    date,
    timeZone: merchant.timeZone,
    openingBalanceFen: openingFen,
    closingBalanceFen: closingFen,
    lastEntryId: rows.at(-1)?.id ?? previous?.lastEntryId ?? null,
    lines: lines as never,
    issuedBy,
  });
  // Whoever stored the day first decides it: the chain goes on from what is stored.
  return (await statements.find(merchant.id, date)) as StoredStatement;
}

/**
 * The stored statement of a closed day, issuing it (and every day before it not issued yet) if need be;
 * null for a day before the merchant's first statement. `issued`: how many statements this call stored.
 */
async function issueThrough(statements: Statements, merchant: StatementMerchant, date: string, issuedBy: IssuedBy) {
  let latest = await statements.latest(merchant.id);
  if (latest && statementDate(latest) >= date) return { stored: await statements.find(merchant.id, date), issued: 0 };
  let day = latest ? addDays(statementDate(latest), 1) : localDateOf(merchant.timeZone, merchant.createdAt);
  let issued = 0;
  for (; day <= date; day = addDays(day, 1)) {
    latest = await issueDay(statements, merchant, day, latest, issuedBy);
    issued += 1;
  }
  return { stored: latest && statementDate(latest) === date ? latest : null, issued };
}

const emptyDay = (merchant: StatementMerchant, date: string): Statement => ({
  merchantId: merchant.id,
  date,
  timeZone: merchant.timeZone,
  openingBalanceFen: 0,
  closingBalanceFen: 0,
  status: 'before-first-day',
  issuedAt: null,
  lines: [],
});

/** The day so far: from the day before's statement (issued now if need be) to the latest entry. Never stored. */
async function partial(statements: Statements, merchant: StatementMerchant, date: string): Promise<Statement> {
  const { stored: previous } = await issueThrough(statements, merchant, addDays(date, -1), 'read');
  const openingFen = previous?.closingBalanceFen ?? 0n;
  const rows = await statements.entriesAfter(merchant.id, previous?.lastEntryId ?? 0n, undefined);
  const { lines, closingFen } = linesOf(merchant.timeZone, openingFen, rows);
  return {
    merchantId: merchant.id,
    date,
    timeZone: merchant.timeZone,
    openingBalanceFen: Number(openingFen),
    closingBalanceFen: Number(closingFen),
    status: 'partial',
    issuedAt: null,
    lines,
  };
}

/**
 * Daily statements (对账单). A merchant's statements form a chain, issued
 * day after day from its first day (the local day it was created) with no
 * gap: each covers the ledger entries after the previous statement's last
 * entry, up to the last entry created before its day ended. So every entry
 * is on exactly one statement, opening + lines = closing, and a day opens
 * at the balance the day before closed, whatever the entries' times say (an
 * entry committed after its day's statement was issued, or with a time out
 * of id order, is on the next statement, at its own time). An issued
 * statement is kept and never changes: the first to issue a day wins
 * (insert-once), and everyone else reads what it stored.
 */
export function createStatementService({ statements, clock = () => new Date() }: StatementServiceDeps) {
  return {
    /** The statement of a merchant's day (YYYY-MM-DD, in its time zone); `partial` allows today's, so far. */
    async statementOf(
      merchantId: string,
      date: string,
      { partial: allowPartial = false } = {},
    ): Promise<StatementResult> {
      const merchant = await statements.merchant(merchantId);
      if (!merchant) return { kind: 'no-merchant' };
      const now = clock();
      const today = localDateOf(merchant.timeZone, now);
      if (date > today) return { kind: 'day-not-started' };
      if (date > lastClosedDay(merchant.timeZone, now)) {
        // Today's so far, on request; yesterday in its first minutes after midnight is neither today nor closed.
        if (allowPartial && date === today)
          return { kind: 'statement', statement: await partial(statements, merchant, date) };
        const closesAt = new Date(endOfLocalDay(merchant.timeZone, date).getTime() + SETTLE_MS);
        return { kind: 'day-not-closed', closesAt };
      }
      const { stored } = await issueThrough(statements, merchant, date, 'read');
      return { kind: 'statement', statement: stored ? storedStatement(stored) : emptyDay(merchant, date) };
    },

    /**
     * The schedule's work for a page of merchants (id order, after `after`): each one's statements up to
     * its last closed day. How many merchants and statements, and where the next page starts (none: done).
     */
    async issueClosedDays({ after, limit }: { after: string; limit: number }) {
      const merchants = await statements.merchantsAfter(after, limit);
      let issued = 0;
      const failed: string[] = [];
      for (const merchant of merchants) {
        // One merchant whose statement cannot be issued (a ledger that does not add up) holds no other up.
        try {
          issued += (await issueThrough(statements, merchant, lastClosedDay(merchant.timeZone, clock()), 'schedule'))
            .issued;
        } catch (error) {
          failed.push(`${merchant.id}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      const next = merchants.length === limit ? merchants.at(-1)?.id : undefined;
      return { merchants: merchants.length, issued, failed, ...(next !== undefined && { next }) };
    },
  };
}

export type StatementService = ReturnType<typeof createStatementService>;
