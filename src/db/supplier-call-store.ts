/**
 * What a supplier call needs stored, shared by every worker, in two
 * statements per call (before and after it): a concurrency slot, the next
 * pacing slot, the minute's counters and the breaker, which
 * the breaker's rules (src/suppliers/breaker.ts) decide and this stores
 * compare-and-set.
 */
import { randomUUID } from 'node:crypto';
import type { BreakerState } from '../shared/suppliers.ts';
import { breakerOf, type Breaker } from '../suppliers/breaker.ts';
import { preparedSql, type Db, type PreparedSql } from './prisma.ts';

/** One call's hold on one of a supplier's concurrency slots. */
export interface CallLease {
  supplierId: string;
  slot: number;
  holder: string;
}

/**
 * One statement for what a call needs before it goes out: one of the
 * supplier's first `concurrencyLimit` call slots (the limit as it is now: an
 * admin's change counts at the next call), shared by every worker, held for
 * at most `leaseMs` (the call's own deadline, so a worker that dies mid-call
 * frees its slot when the lease runs out); and, with it, the supplier's next
 * pacing slot, `spacing` seconds after the last one handed out, so that
 * jitter cannot put `rate + 1` arrivals into one second at the supplier.
 * Undefined when every slot is held (no pacing slot is taken then); else the
 * lease and how long the caller must wait for its moment, in ms.
 */
async function acquireCallSlot(
  sql: PreparedSql,
  id: string,
  leaseMs: number,
  spacing: number,
): Promise<(CallLease & { waitMs: number }) | undefined> {
  const holder = randomUUID();
  const [row] = await sql<{ slot: number; waitMs: number }>`
    WITH free AS (
      SELECT slot FROM supplier_call_leases
      WHERE supplier_id = ${id} AND slot < (SELECT concurrency_limit FROM suppliers WHERE id = ${id})
        AND (held_until IS NULL OR held_until < clock_timestamp())
      ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED
    ), leased AS (
      UPDATE supplier_call_leases l SET held_until = clock_timestamp() + make_interval(secs => ${leaseMs / 1000}), holder = ${holder}
      FROM free WHERE l.supplier_id = ${id} AND l.slot = free.slot
      RETURNING l.slot
    ), paced AS (
      UPDATE suppliers SET next_call_at = GREATEST(next_call_at, clock_timestamp()) + make_interval(secs => ${spacing})
      WHERE id = ${id} AND EXISTS (SELECT 1 FROM leased)
      RETURNING next_call_at - make_interval(secs => ${spacing}) AS at
    )
    SELECT leased.slot, (EXTRACT(EPOCH FROM paced.at - clock_timestamp()) * 1000)::float8 AS "waitMs" FROM leased, paced`;
  return row && { supplierId: id, slot: row.slot, holder, waitMs: Math.max(0, row.waitMs) };
}

/** Frees the slot, unless its lease ran out and another call holds it now (a call that sent nothing). */
async function releaseCallSlot(sql: PreparedSql, { supplierId, slot, holder }: CallLease): Promise<void> {
  await sql`UPDATE supplier_call_leases SET held_until = NULL, holder = NULL WHERE supplier_id = ${supplierId} AND slot = ${slot} AND holder = ${holder}`;
}

/**
 * One statement for what follows a call that went out: frees its slot (as
 * releaseCallSlot), counts it in the minute's figures made at `at`, and
 * answers the supplier's breaker as it is now (undefined: no such supplier).
 */
async function finishCall(sql: PreparedSql, lease: CallLease, fault: boolean, at: Date): Promise<Breaker | undefined> {
  const { supplierId: id, slot, holder } = lease;
  const [row] = await sql<{ state: BreakerState; consecutiveFaults: number; changedAt: Date }>`
    WITH released AS (
      UPDATE supplier_call_leases SET held_until = NULL, holder = NULL WHERE supplier_id = ${id} AND slot = ${slot} AND holder = ${holder}
    ), counted AS (
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
  const sql = preparedSql(db);
  return {
    /** Stores the breaker the rules decided if nobody changed it meanwhile: see compareAndSetBreaker. */
    compareAndSetBreaker: (id: string, expected: Breaker, next: Breaker) =>
      compareAndSetBreaker(db, id, expected, next),

    /** A concurrency slot and, with it, the next pacing slot, shared by every worker: see acquireCallSlot. */
    acquireCallSlot: (id: string, leaseMs: number, spacing: number) => acquireCallSlot(sql, id, leaseMs, spacing),

    /** Frees the slot of a call that sent nothing: see releaseCallSlot. */
    releaseCallSlot: (lease: CallLease) => releaseCallSlot(sql, lease),

    /** Frees the slot of a call that went out and counts it; the breaker as it is: see finishCall. */
    finishCall: (lease: CallLease, fault: boolean, at: Date) => finishCall(sql, lease, fault, at),

    /** The supplier's breaker as stored, if there is such a supplier. */
    async readBreaker(id: string): Promise<Breaker | undefined> {
      const row = await db.supplier.findUnique({
        where: { id },
        select: { breakerState: true, consecutiveFaults: true, breakerChangedAt: true },
      });
      return row ? breakerOf(row) : undefined;
    },
  };
}
