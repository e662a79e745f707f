import { signedAmountFen } from '../db/ledger-repository.ts';
import type { StatementEntryRow, StoredStatement } from '../db/statement-repository.ts';
import { statementDate } from '../db/statement-repository.ts';
import { isoInZone } from './local-day.ts';

/** One ledger entry on a statement; amounts signed as the merchant's balance sees them, in fen. */
export interface StatementLine {
  /** When the entry was made, in the statement's time zone with its offset. */
  time: string;
  entryId: string;
  /** The ledger entry's type (ORDER_DEBIT, ORDER_REFUND, TOP_UP, ADJUSTMENT, and any later one). */
  type: string;
  orderId: string | null;
  merchantOrderNo: string | null;
  amountFen: number;
  balanceAfterFen: number;
}

/**
 * issued: a closed day's statement, as kept; partial: the day so far (never kept);
 * before-first-day: a day before the merchant's first statement (nothing on it).
 */
export type StatementStatus = 'issued' | 'partial' | 'before-first-day';

export interface Statement {
  merchantId: string;
  date: string;
  timeZone: string;
  openingBalanceFen: number;
  closingBalanceFen: number;
  status: StatementStatus;
  issuedAt: string | null;
  lines: StatementLine[];
}

/**
 * The lines of a statement opening at `openingFen`, checked: each entry's
 * balance after must be the balance before it plus its amount, so that
 * opening + the lines = closing = the last line's balance after.
 */
export function linesOf(timeZone: string, openingFen: bigint, rows: StatementEntryRow[]) {
  let balance = openingFen;
  const lines = rows.map((row): StatementLine => {
    const amount = signedAmountFen(row);
    balance += amount;
    if (balance !== row.balanceAfterFen)
      throw new Error(
        `ledger entry ${row.id} of merchant ${row.merchantId} has balance after ${row.balanceAfterFen} fen, but the balance before it plus its ${amount} fen is ${balance}: the statement is not issued`,
      );
    return {
      time: isoInZone(timeZone, row.createdAt),
      entryId: String(row.id),
      type: row.type,
      orderId: row.orderId,
      merchantOrderNo: row.merchantOrderNo,
      amountFen: Number(amount),
      balanceAfterFen: Number(row.balanceAfterFen),
    };
  });
  return { lines, closingFen: balance };
}

export const storedStatement = (stored: StoredStatement): Statement => ({
  merchantId: stored.merchantId,
  date: statementDate(stored),
  timeZone: stored.timeZone,
  openingBalanceFen: Number(stored.openingBalanceFen),
  closingBalanceFen: Number(stored.closingBalanceFen),
  status: 'issued',
  issuedAt: stored.issuedAt.toISOString(),
  lines: stored.lines as unknown as StatementLine[],
});

const CSV_COLUMNS = ['time', 'entry_id', 'type', 'order_id', 'merchant_order_no', 'amount_fen', 'balance_after_fen'];

const csvField = (value: string | number | null) => {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/**
 * The statement as CSV: its header as `# name,value` lines (a comment to
 * most CSV readers), then a table of the lines with a row of column names.
 */
export function statementCsv(statement: Statement): string {
  const header = [
    ['merchant_id', statement.merchantId],
    ['date', statement.date],
    ['time_zone', statement.timeZone],
    ['opening_balance_fen', statement.openingBalanceFen],
    ['closing_balance_fen', statement.closingBalanceFen],
    ['status', statement.status],
    ['issued_at', statement.issuedAt],
  ] as const;
  const rows = statement.lines.map((line) =>
    [line.time, line.entryId, line.type, line.orderId, line.merchantOrderNo, line.amountFen, line.balanceAfterFen].map(
      csvField,
    ),
  );
  return [
    ...header.map(([name, value]) => `# ${name},${csvField(value)}`),
    CSV_COLUMNS.join(','),
    ...rows.map((row) => row.join(',')),
  ]
    .map((line) => `${line}\r\n`)
    .join('');
}
