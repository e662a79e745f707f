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
  /** `chargeFen`: what a SUCCESS charges (books from before bills lack it: the bill then prices it at today's rate). */
  | { type: 'result'; requestId: string; state: 'SUCCESS' | 'FAILED'; reason?: string; chargeFen?: number; at: string }
  | { type: 'repeat'; requestId: string }
  /** A SUCCESS taken back (`POST /_sim/reverse`): it charges nothing any more. */
  | { type: 'reversed'; requestId: string; at: string }
  /** A charge for a request never sent (`POST /_sim/phantom-charge`): on the bill, nowhere else. */
  | { type: 'phantom'; request: RechargeRequest; carrierOrderId: string; chargeFen: number; at: string };

/** An order as the books say it stands. */
export interface RecordedOrder {
  request: RechargeRequest;
  carrierOrderId: string;
  state: 'PROCESSING' | 'SUCCESS' | 'FAILED' | 'REVERSED';
  reason?: string;
  repeats: number;
  /** When it was decided (SUCCESS or FAILED): the day of the bill it is on. */
  decidedAt?: string;
  /** What its SUCCESS charged, in fen. */
  chargeFen?: number;
  reversedAt?: string;
}

/** The books as read back: the orders taken and the phantom charges. */
export interface Books {
  orders: Map<string, RecordedOrder>;
  phantoms: Map<string, RecordedOrder>;
  skippedLines: number;
}

/** A simulator's books at start: the file it appends to, and what that file held. */
export interface StartingBooks {
  records?: RecordsFile;
  recorded?: Map<string, RecordedOrder>;
  phantoms?: Map<string, RecordedOrder>;
}

/** Applies a record about an order already taken; false if the order is not in the books. */
function applyToOrder(order: RecordedOrder | undefined, record: SupplierRecord): boolean {
  if (!order) return false;
  if (record.type === 'repeat') order.repeats++;
  else if (record.type === 'reversed') Object.assign(order, { state: 'REVERSED', reversedAt: record.at });
  else if (record.type === 'result')
    Object.assign(order, {
      state: record.state,
      decidedAt: record.at,
      ...(record.reason !== undefined && { reason: record.reason }),
      ...(record.chargeFen !== undefined && { chargeFen: record.chargeFen }),
    });
  return true;
}

/**
 * Reads a simulator's books (JSON lines): every order it took, in the order
 * taken, with its result and repeats. A line that does not parse (one torn
 * by a crash mid-write, which was then never acknowledged) is skipped.
 */
export function readRecords(file: string): Books {
  const orders = new Map<string, RecordedOrder>();
  const phantoms = new Map<string, RecordedOrder>();
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
    if (record.type === 'phantom') {
      phantoms.set(record.request.requestId, phantomOrder(record));
      continue;
    }
    if (!applyToOrder(orders.get(record.requestId), record)) skippedLines++;
  }
  return { orders, phantoms, skippedLines };
}

/** A phantom charge as an order of the books: decided SUCCESS when recorded. */
export const phantomOrder = ({
  request,
  carrierOrderId,
  chargeFen,
  at,
}: Extract<SupplierRecord, { type: 'phantom' }>): RecordedOrder => ({
  request,
  carrierOrderId,
  state: 'SUCCESS',
  repeats: 0,
  decidedAt: at,
  chargeFen,
});

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
