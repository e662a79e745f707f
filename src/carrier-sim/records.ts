import { closeSync, existsSync, fsyncSync, openSync, readFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RechargeRequest } from '../carrier/protocol.ts';

/**
 * One line of a simulator's books: a request taken (the credit promised),
 * its result (the phone credited or not), or the same request id again.
 */
export type SupplierRecord =
  | { type: 'taken'; request: RechargeRequest; carrierOrderId: string; at: string }
  | { type: 'result'; requestId: string; state: 'SUCCESS' | 'FAILED'; reason?: string; at: string }
  | { type: 'repeat'; requestId: string };

/** An order as the books say it stands. */
export interface RecordedOrder {
  request: RechargeRequest;
  carrierOrderId: string;
  state: 'PROCESSING' | 'SUCCESS' | 'FAILED';
  reason?: string;
  repeats: number;
}

/**
 * Reads a simulator's books (JSON lines): every order it took, in the order
 * taken, with its result and repeats. A line that does not parse (one torn
 * by a crash mid-write, which was then never acknowledged) is skipped.
 */
export function readRecords(file: string): { orders: Map<string, RecordedOrder>; skippedLines: number } {
  const orders = new Map<string, RecordedOrder>();
  let skippedLines = 0;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let record: SupplierRecord;
    try {
      record = JSON.parse(line) as SupplierRecord;
    } catch {
      skippedLines++;
      continue;
    }
    if (record.type === 'taken') {
      const { request, carrierOrderId } = record;
      orders.set(request.requestId, { request, carrierOrderId, state: 'PROCESSING', repeats: 0 });
      continue;
    }
    const order = orders.get(record.requestId);
    if (!order) skippedLines++;
    else if (record.type === 'repeat') order.repeats++;
    else Object.assign(order, { state: record.state, ...(record.reason !== undefined && { reason: record.reason }) });
  }
  return { orders, skippedLines };
}

/** The books, appended to: `append` resolves once its line is on disk (written and fdatasync'd). */
export interface RecordsFile {
  append(record: SupplierRecord): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens (creating) a simulator's append-only books. Lines waiting while a
 * write is on its way go to disk together in the next write (one fdatasync
 * for all of them), so an acknowledged credit is never lost to `kill -9`.
 */
export async function openRecords(file: string): Promise<RecordsFile> {
  const created = !existsSync(file);
  const handle: FileHandle = await open(file, 'a');
  if (created) syncDirectory(dirname(file)); // the new file's name must survive a crash too
  const size = (await handle.stat()).size;
  // A line torn by a crash is closed off, so the next record starts on a line of its own.
  if (size > 0 && !readFileSync(file, 'utf8').endsWith('\n')) await handle.write('\n');
  let waiting: { line: string; done: (error?: Error) => void }[] = [];
  let writing: Promise<void> | undefined;
  const flush = async () => {
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      try {
        await handle.write(batch.map((entry) => entry.line).join(''));
        await handle.datasync();
        for (const entry of batch) entry.done();
      } catch (error) {
        for (const entry of batch) entry.done(error instanceof Error ? error : new Error(String(error)));
      }
    }
    writing = undefined;
  };
  return {
    append: (record) =>
      new Promise<void>((resolve, reject) => {
        waiting.push({
          line: `${JSON.stringify(record)}\n`,
          done: (error) => (error === undefined ? resolve() : reject(error)),
        });
        writing ??= flush();
      }),
    close: async () => {
      await writing;
      await handle.close();
    },
  };
}

function syncDirectory(directory: string): void {
  const fd = openSync(directory, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * One order the carrier took (charged for, unless it then FAILED), with the
 * phone it tops up: a second request id for one order shows as a second
 * charge of that phone.
 */
export interface CarrierCharge {
  requestId: string;
  phone: string;
  amountYuan: number;
  state: RecordedOrder['state'];
  repeats: number;
}

export const chargesOf = (orders: Iterable<RecordedOrder>): CarrierCharge[] =>
  [...orders].map(({ request, state, repeats }) => ({
    requestId: request.requestId,
    phone: request.phone,
    amountYuan: request.amountYuan,
    state,
    repeats,
  }));
