import { randomUUID } from 'node:crypto';
import type { SupplierBillRepository, StoredRun } from '../db/supplier-bill-repository.ts';
import type { SupplierRepository } from '../db/supplier-repository.ts';
import { addDays } from '../shared/calendar-days.ts';
import type { BillLine } from '../shared/supplier-bill.ts';
import { BillUnavailableError, fetchBill, readBill } from './bill-fetch.ts';
import { compareBill, totalFen, unbilledCharges } from './compare.ts';

export interface BillReconciliationDeps {
  bills: SupplierBillRepository;
  suppliers: Pick<SupplierRepository, 'findById'>;
  /** How long fetching a bill may take. */
  timeoutMs?: number;
}

export interface BillReconciliationRequest {
  supplierId: string;
  /** The UTC day, YYYY-MM-DD. */
  day: string;
  /** api, upload or schedule. */
  trigger: string;
  /** The bill as CSV, when the caller has it; otherwise it is fetched from the supplier. */
  csv?: string;
  /** The run's id (the schedule's workflow gives one, so a retried activity stores it once); a new UUID otherwise. */
  runId?: string;
}

export type BillReconciliationResult =
  | { kind: 'done'; run: StoredRun }
  | { kind: 'no-supplier' }
  /** The CSV sent is not a bill of that day. */
  | { kind: 'bad-bill'; message: string }
  /** The supplier's bill could not be fetched (or read). */
  | { kind: 'unavailable'; message: string };

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Reconciles a supplier's bill of one UTC day with what we recorded: each
 * line against our attempt of its request id, and each charge we booked that
 * day against the bill. A charge we booked that this bill does not list is
 * looked for on the bills of the day before and after (fetched from the
 * supplier only then): booked just before midnight and billed just after
 * (or the reverse), it is no difference. Stores the run with its differences.
 */
export async function reconcileSupplierBill(
  deps: BillReconciliationDeps,
  request: BillReconciliationRequest,
): Promise<BillReconciliationResult> {
  const { supplierId, day } = request;
  const supplier = await deps.suppliers.findById(supplierId);
  if (!supplier) return { kind: 'no-supplier' };
  // A retried activity finds its run stored.
  const stored = request.runId === undefined ? null : await deps.bills.findRun(supplierId, request.runId);
  if (stored) return { kind: 'done', run: storedRun(stored) };
  const timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let lines: BillLine[];
  if (request.csv !== undefined) {
    const bill = readBill(request.csv, day);
    if ('error' in bill) return { kind: 'bad-bill', message: bill.error };
    lines = bill.lines;
  } else {
    try {
      lines = await fetchBill(supplier.baseUrl, day, timeoutMs);
    } catch (error) {
      if (error instanceof BillUnavailableError) return { kind: 'unavailable', message: error.message };
      throw error;
    }
  }
  const from = new Date(`${day}T00:00:00Z`);
  const recorded = await deps.bills.chargesBooked(supplierId, from, new Date(from.getTime() + 86_400_000));
  const ours = await deps.bills.attemptsByRequestId(
    supplierId,
    lines.map((line) => line.requestId),
  );
  const onAdjacentBills = new Set<string>();
  if (unbilledCharges(lines, recorded).length > 0)
    for (const adjacent of [addDays(day, -1), addDays(day, 1)]) {
      // An adjacent bill that cannot be had leaves its charges not_billed: a difference to look at, not a silent pass.
      const adjacentLines = await fetchBill(supplier.baseUrl, adjacent, timeoutMs).catch(() => []);
      for (const line of adjacentLines) onAdjacentBills.add(line.requestId);
    }
  const run: StoredRun = {
    id: request.runId ?? randomUUID(),
    supplierId,
    day,
    trigger: request.trigger,
    billed: { count: lines.length, amountFen: totalFen(lines) },
    recorded: { count: recorded.length, amountFen: totalFen(recorded) },
    differences: compareBill({ lines, ours, recorded, onAdjacentBills }),
  };
  await deps.bills.saveRun(run);
  return { kind: 'done', run };
}

type FoundRun = NonNullable<Awaited<ReturnType<SupplierBillRepository['findRun']>>>;

/** A stored run as the API answers it. */
export function storedRun(run: FoundRun): StoredRun & { status: string; createdAt: Date } {
  return {
    id: run.id,
    supplierId: run.supplierId,
    day: run.day.toISOString().slice(0, 10),
    trigger: run.trigger,
    status: run.status,
    createdAt: run.createdAt,
    billed: { count: run.billedCount, amountFen: Number(run.billedFen) },
    recorded: { count: run.recordedCount, amountFen: Number(run.recordedFen) },
    differences: run.differences.map(({ kind, requestId, ours, theirs }) => ({
      kind: kind as StoredRun['differences'][number]['kind'],
      requestId,
      ours: ours as StoredRun['differences'][number]['ours'],
      theirs: theirs as StoredRun['differences'][number]['theirs'],
    })),
  };
}
