/**
 * The rules of supplier bill reconciliation (上游对账), pure: a supplier's
 * bill of one UTC day against the attempts we sent it. Workflow-safe.
 */
import type { BillLine, BillStatus } from '../shared/supplier-bill.ts';

/** Our side of one attempt: PENDING while the order is not decided. */
export type OurStatus = BillStatus | 'PENDING';

/** One attempt of ours at the supplier, as our order history and its ledger have it. */
export interface OurAttempt {
  requestId: string;
  orderId: string;
  status: OurStatus;
  /** What we booked as its charge: the ORDER_COST of a SUCCESS; 0 for a reversed, failed or open one. */
  amountFen: number;
  /** When we booked its charge (the ORDER_COST entry), for a charged attempt. */
  bookedAt?: string;
}

export const DIFFERENCE_KINDS = ['unknown_to_us', 'not_billed', 'status_differs', 'amount_differs'] as const;
export type DifferenceKind = (typeof DIFFERENCE_KINDS)[number];

export interface BillDifference {
  kind: DifferenceKind;
  requestId: string;
  /** What we recorded; null when we have no attempt with this request id. */
  ours: OurAttempt | null;
  /** The bill's line; null when the bill has none. */
  theirs: BillLine | null;
}

export interface BillComparison {
  /** The bill of the day: every line it has. */
  lines: readonly BillLine[];
  /** Our attempts with the request ids of those lines (at the supplier, whatever day we booked them). */
  ours: ReadonlyMap<string, OurAttempt>;
  /** The charges we booked for the supplier that UTC day. */
  recorded: readonly OurAttempt[];
  /** Request ids on the bills of the day before and after (a charge booked on one side of midnight, billed on the other). */
  onAdjacentBills: ReadonlySet<string>;
}

/** How a bill line compares with our attempt of the same request id; undefined if they agree. */
export function lineDifference(line: BillLine, ours: OurAttempt | undefined): DifferenceKind | undefined {
  if (!ours) return 'unknown_to_us';
  if (ours.status !== line.status) return 'status_differs';
  if (ours.amountFen !== line.amountFen) return 'amount_differs';
  return undefined;
}

/** Charges we booked that day which the day's bill does not list: those the adjacent bills must be asked about. */
export function unbilledCharges(lines: readonly BillLine[], recorded: readonly OurAttempt[]): OurAttempt[] {
  const billed = new Set(lines.map((line) => line.requestId));
  return recorded.filter((charge) => !billed.has(charge.requestId));
}

/**
 * The differences: each line of the bill against our attempt of its request
 * id (unknown_to_us, status_differs, amount_differs, in that order of
 * precedence), then each charge we booked that day that neither this bill
 * nor an adjacent day's lists (not_billed). A charge billed on the adjacent
 * day is compared there, when that day's bill is reconciled.
 */
export function compareBill({ lines, ours, recorded, onAdjacentBills }: BillComparison): BillDifference[] {
  const differences: BillDifference[] = [];
  for (const line of lines) {
    const attempt = ours.get(line.requestId);
    const kind = lineDifference(line, attempt);
    if (kind) differences.push({ kind, requestId: line.requestId, ours: attempt ?? null, theirs: line });
  }
  for (const charge of unbilledCharges(lines, recorded))
    if (!onAdjacentBills.has(charge.requestId))
      differences.push({ kind: 'not_billed', requestId: charge.requestId, ours: charge, theirs: null });
  return differences;
}

/** The sum of a list of amounts in fen. */
export const totalFen = (items: readonly { amountFen: number }[]) =>
  items.reduce((sum, item) => sum + item.amountFen, 0);
