/**
 * What a supplier call needs stored, shared by every worker: a concurrency
 * slot, the next pacing slot, the minute's counters and the breaker, which
 * the breaker's rules (src/suppliers/breaker.ts) decide and this stores
 * compare-and-set.
 */
import { randomUUID } from 'node:crypto';
import type { BreakerState } from '../shared/suppliers.ts';
import { breakerOf, type Breaker } from '../suppliers/breaker.ts';
import type { Db } from './prisma.ts';

/** One call's hold on one of a supplier's concurrency slots. */
export interface CallLease {
  supplierId: string;
  slot: number;
  holder: string;
}

/**
 * Takes one of the supplier's first `concurrencyLimit` call slots (the limit
 * as it is now: an admin's change counts at the next call), shared by every
 * worker, for at most `leaseMs` (the call's own deadline, so a worker that
 * dies mid-call frees its slot when the lease runs out). Undefined when all
 * are held.
 */
async function acquireConcurrencySlot(db: Db, id: string, leaseMs: number): Promise<CallLease | undefined> {
  const holder = randomUUID();
  const [row] = await db.$queryRaw<{ slot: number }[]>`
    WITH free AS (
      SELECT slot FROM supplier_call_leases
      WHERE supplier_id = ${id} AND slot < (SELECT concurrency_limit FROM suppliers WHERE id = ${id})
        AND (held_until IS NULL OR held_until < clock_timestamp())
      ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED
    )
    UPDATE supplier_call_leases l SET held_until = clock_timestamp() + make_interval(secs => ${leaseMs / 1000}), holder = ${holder}
    FROM free WHERE l.supplier_id = ${id} AND l.slot = free.slot
    RETURNING l.slot`;
  return row && { supplierId: id, slot: row.slot, holder };
}

/** Frees the slot, unless its lease ran out and another call holds it now. */
async function releaseConcurrencySlot(db: Db, { supplierId, slot, holder }: CallLease): Promise<void> {
  await db.$executeRaw`UPDATE supplier_call_leases SET held_until = NULL, holder = NULL WHERE supplier_id = ${supplierId} AND slot = ${slot} AND holder = ${holder}`;
}

/**
 * Reserves the supplier's next call slot, shared by every worker: calls
 * keep `spacing` seconds apart, so that jitter cannot put `rate + 1`
 * arrivals into one second at the supplier. Returns how long the caller
 * must wait for its slot, in ms.
 */
async function reserveCallSlot(db: Db, id: string, spacing: number): Promise<number> {
  const [row] = await db.$queryRaw<{ waitMs: number }[]>`
    WITH slot AS (
      SELECT GREATEST(next_call_at, clock_timestamp()) AS at FROM suppliers WHERE id = ${id} FOR UPDATE
    ), taken AS (
      UPDATE suppliers SET next_call_at = slot.at + make_interval(secs => ${spacing}) FROM slot WHERE suppliers.id = ${id}
    )
    SELECT (EXTRACT(EPOCH FROM slot.at - clock_timestamp()) * 1000)::float8 AS "waitMs" FROM slot`;
  return Math.max(0, row?.waitMs ?? 0);
}

/** Counts one call in the minute's figures; the supplier's breaker as it is now, in the same round trip (undefined: no such supplier). */
async function countCall(db: Db, id: string, fault: boolean, at: Date): Promise<Breaker | undefined> {
  const [row] = await db.$queryRaw<{ state: BreakerState; consecutiveFaults: number; changedAt: Date }[]>`
    WITH counted AS (
      INSERT INTO supplier_call_minutes (supplier_id, minute, requests, faults)
      VALUES (${id}, date_trunc('minute', ${at}::timestamptz), 1, ${fault ? 1 : 0})
      ON CONFLICT (supplier_id, minute) DO UPDATE SET requests = supplier_call_minutes.requests + 1, faults = supplier_call_minutes.faults + EXCLUDED.faults
    )
    SELECT breaker_state AS state, consecutive_faults AS "consecutiveFaults", breaker_changed_at AS "changedAt" FROM suppliers WHERE id = ${id}`;
  return row;
}

/** Stores `next` as the supplier's breaker if it is still `expected` (compare-and-set: workers racing agree); whether it did. */
async function compareAndSetBreaker(db: Db, id: string, expected: Breaker, next: Breaker): Promise<boolean> {
  const set = await db.supplier.updateMany({
    where: {
      id,
      breakerState: expected.state,
      consecutiveFaults: expected.consecutiveFaults,
      breakerChangedAt: expected.changedAt,
    },
    data: { breakerState: next.state, consecutiveFaults: next.consecutiveFaults, breakerChangedAt: next.changedAt },
  });
  return set.count === 1;
}

export function supplierCallStore(db: Db) {
  return {
    /** Stores the breaker the rules decided if nobody changed it meanwhile: see compareAndSetBreaker. */
    compareAndSetBreaker: (id: string, expected: Breaker, next: Breaker) =>
      compareAndSetBreaker(db, id, expected, next),

    /** One of the supplier's concurrency slots, shared by every worker: see acquireConcurrencySlot. */
    acquireConcurrencySlot: (id: string, leaseMs: number) => acquireConcurrencySlot(db, id, leaseMs),

    releaseConcurrencySlot: (lease: CallLease) => releaseConcurrencySlot(db, lease),

    /** The supplier's next call slot, `spacing` seconds after the last, shared by every worker: see reserveCallSlot. */
    reserveCallSlot: (id: string, spacing: number) => reserveCallSlot(db, id, spacing),

    /** The supplier's breaker as stored, if there is such a supplier. */
    async readBreaker(id: string): Promise<Breaker | undefined> {
      const row = await db.supplier.findUnique({
        where: { id },
        select: { breakerState: true, consecutiveFaults: true, breakerChangedAt: true },
      });
      return row ? breakerOf(row) : undefined;
    },

    /** Counts a call made at `at`; the breaker as it is: see countCall. */
    countCall: (id: string, fault: boolean, at: Date) => countCall(db, id, fault, at),
  };
}
