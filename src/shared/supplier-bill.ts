/**
 * A supplier's daily bill (上游对账单) as CSV: what the simulators publish at
 * `GET /_sim/bill?date=` and what bill reconciliation reads. One line per
 * request the supplier decided that UTC day, under a header line.
 * Workflow-safe: no Node imports.
 */
import { isCalendarDay } from './calendar-days.ts';

export const BILL_COLUMNS = ['requestId', 'phone', 'faceValueYuan', 'amountFen', 'status', 'time', 'day'] as const;
export const BILL_HEADER = BILL_COLUMNS.join(',');

/** SUCCESS charges the amount; FAILED and REVERSED (a success taken back) charge 0. */
export const BILL_STATUSES = ['SUCCESS', 'FAILED', 'REVERSED'] as const;
export type BillStatus = (typeof BILL_STATUSES)[number];

export interface BillLine {
  requestId: string;
  /** The phone with its middle digits masked: 138****5678. */
  phone: string;
  faceValueYuan: number;
  amountFen: number;
  status: BillStatus;
  /** When the supplier decided the request (RFC 3339, UTC). */
  time: string;
  /** The UTC day of `time`: the bill it is on. */
  day: string;
}

export function formatBill(lines: readonly BillLine[]): string {
  return [BILL_HEADER, ...lines.map((line) => BILL_COLUMNS.map((column) => String(line[column])).join(','))]
    .map((row) => `${row}\n`)
    .join('');
}

const REQUEST_ID = /^[A-Za-z0-9_.:-]{1,64}$/;
const MASKED_PHONE = /^[0-9*]{3,11}$/;
const INTEGER = /^(0|[1-9]\d{0,11})$/;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** One line's fields, or what is wrong with them. */
function parseLine(fields: string[]): BillLine | string {
  if (fields.length !== BILL_COLUMNS.length)
    return `has ${fields.length} fields, a bill line has ${BILL_COLUMNS.length}`;
  const [requestId = '', phone = '', faceValue = '', amount = '', status = '', time = '', day = ''] = fields;
  if (!REQUEST_ID.test(requestId)) return 'requestId must be 1-64 letters, digits or "_.:-"';
  if (!MASKED_PHONE.test(phone)) return 'phone must be a (masked) phone number';
  if (!INTEGER.test(faceValue)) return 'faceValueYuan must be a whole number of yuan';
  if (!INTEGER.test(amount)) return 'amountFen must be a whole number of fen';
  if (!(BILL_STATUSES as readonly string[]).includes(status))
    return `status must be one of ${BILL_STATUSES.join(', ')}`;
  if (!TIME.test(time) || Number.isNaN(Date.parse(time))) return 'time must be an RFC 3339 time';
  if (!isCalendarDay(day)) return 'day must be a date (YYYY-MM-DD)';
  return {
    requestId,
    phone,
    faceValueYuan: Number(faceValue),
    amountFen: Number(amount),
    status: status as BillStatus,
    time,
    day,
  };
}

/**
 * Reads a bill: the header line, then one line per request (blank lines and
 * a final newline allowed, a CRLF too). Answers the lines, or the first fault
 * with its line number. A request id twice is a fault: a bill lists each
 * request once, with its status as of the bill.
 */
export function parseBill(text: string): { lines: BillLine[] } | { error: string } {
  const rows = text.split(/\r?\n/);
  if (rows[0]?.replace(/^\uFEFF/, '').trim() !== BILL_HEADER)
    return { error: `line 1 must be the header ${BILL_HEADER}` };
  const lines: BillLine[] = [];
  const seen = new Set<string>();
  for (const [index, row] of rows.entries()) {
    if (index === 0 || row.trim() === '') continue;
    const line = parseLine(row.split(',').map((field) => field.trim()));
    if (typeof line === 'string') return { error: `line ${index + 1} ${line}` };
    if (seen.has(line.requestId)) return { error: `line ${index + 1} repeats request ${line.requestId}` };
    seen.add(line.requestId);
    lines.push(line);
  }
  return { lines };
}
