import { randomUUID } from 'node:crypto';
import { CARRIERS } from '../shared/carriers.ts';
import { BreakerState } from '../shared/suppliers.ts';
import type { Db } from './prisma.ts';

/** Rate per carrier as a decimal string ("0.97"), exactly as stored. */
export type SupplierRates = Partial<Record<string, string>>;

export interface NewSupplier {
  id: string;
  name: string;
  baseUrl: string;
  callbackSecret: string;
  carriers: string[];
  faceValuesYuan: number[];
  rates: SupplierRates;
  priority: number;
  weight: number;
  rateLimitPerSecond: number;
  concurrencyLimit: number;
  enabled: boolean;
  lowBalanceFen: number;
}

/** What an admin may change on a running supplier; the next routing decision sees it. */
export type SupplierChange = Partial<Pick<NewSupplier, 'enabled' | 'priority' | 'weight' | 'rateLimitPerSecond' | 'concurrencyLimit' | 'rates' | 'lowBalanceFen' | 'baseUrl'>>;

/** The breaker's settings: faults in a row that open it, and how long it stays open before a probe. */
export interface BreakerSettings {
  faultsToOpen: number;
  coolDownMs: number;
}

/** A change of a supplier's breaker, for the log and the metrics. */
export interface BreakerTransition {
  supplierId: string;
  from: BreakerState;
  to: BreakerState;
  consecutiveFaults: number;
}

/** How a supplier call ended: a fault (timeout, connection error, 5xx), an answer to a recharge, or an answer to a status question. */
export type CallOutcome = 'fault' | 'answer' | 'status-answer';

/**
 * Calls go out 20 % slower than the supplier's limit: the supplier counts
 * arrivals, and on a busy machine a call can leave tens of milliseconds
 * late, squeezing the next ones into its second.
 */
const PACING_MARGIN = 1.2;

/** The calls per second a supplier is actually sent, under its limit. */
export const pacedRatePerSecond = (rateLimitPerSecond: number) => rateLimitPerSecond / PACING_MARGIN;

/** Calls over the last 5 minutes, as the admin API shows them. */
export interface SupplierHealth {
  requests: number;
  faults: number;
  successRate: number | null;
}

const withRates = { rates: { select: { carrier: true, rate: true } } } as const;
const ratesOf = (rows: { carrier: string; rate: { toString(): string } }[]): SupplierRates => Object.fromEntries(rows.map(({ carrier, rate }) => [carrier, rate.toString()]));
const rateRows = (rates: SupplierRates) => CARRIERS.flatMap((carrier) => (rates[carrier] === undefined ? [] : [{ carrier, rate: rates[carrier] }]));

/** Requests and faults per supplier over the last 5 minutes. */
async function healthOf(db: Db): Promise<Map<string, SupplierHealth>> {
  const rows = await db.supplierCallMinute.groupBy({
    by: ['supplierId'],
    where: { minute: { gte: new Date(Date.now() - 5 * 60_000) } },
    _sum: { requests: true, faults: true },
  });
  return new Map(
    rows.map(({ supplierId, _sum }) => {
      const requests = _sum.requests ?? 0;
      const faults = _sum.faults ?? 0;
      return [supplierId, { requests, faults, successRate: requests === 0 ? null : (requests - faults) / requests }];
    }),
  );
}

/**
 * Lets one probe through a breaker open for at least the cool-down (or
 * whose last probe never reported back): the first caller moves it to
 * HALF_OPEN and gets true, every other gets false.
 */
async function claimProbe(db: Db, id: string, { coolDownMs }: BreakerSettings, at: Date): Promise<boolean> {
  const claimed = await db.$executeRaw`
    UPDATE suppliers SET breaker_state = 'HALF_OPEN', breaker_changed_at = ${at}
    WHERE id = ${id} AND breaker_state <> 'CLOSED' AND breaker_changed_at <= ${at}::timestamptz - make_interval(secs => ${coolDownMs / 1000})`;
  return claimed === 1;
}

/** One call's hold on one of a supplier's concurrency slots. */
export interface CallLease {
  supplierId: string;
  slot: number;
  holder: string;
}

/** Makes sure slots 0 .. limit-1 exist (slots past a lowered limit stay, unused). */
async function ensureConcurrencySlots(db: Db, id: string, limit: number): Promise<void> {
  await db.$executeRaw`INSERT INTO supplier_call_leases (supplier_id, slot) SELECT ${id}, generate_series(0, ${limit}::int - 1) ON CONFLICT DO NOTHING`;
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
 * keep `1 / pacedRatePerSecond` apart, so that jitter cannot put
 * `rate + 1` arrivals into one second at the supplier.
 * Returns how long the caller must wait for its slot, in ms.
 */
async function reserveCallSlot(db: Db, id: string, rateLimitPerSecond: number): Promise<number> {
  const spacing = 1 / pacedRatePerSecond(rateLimitPerSecond);
  const [row] = await db.$queryRaw<{ waitMs: number }[]>`
    WITH slot AS (
      SELECT GREATEST(next_call_at, clock_timestamp()) AS at FROM suppliers WHERE id = ${id} FOR UPDATE
    ), taken AS (
      UPDATE suppliers SET next_call_at = slot.at + make_interval(secs => ${spacing}) FROM slot WHERE suppliers.id = ${id}
    )
    SELECT (EXTRACT(EPOCH FROM slot.at - clock_timestamp()) * 1000)::float8 AS "waitMs" FROM slot`;
  return Math.max(0, row?.waitMs ?? 0);
}

/**
 * Counts one call in the minute's figures and moves the breaker: a fault
 * opens it after `faultsToOpen` in a row (at once in HALF_OPEN), an answer
 * closes it. Atomic in one statement, so workers racing agree. Returns the
 * transition, if the breaker changed.
 */
async function recordCall(db: Db, id: string, outcome: CallOutcome, { faultsToOpen }: BreakerSettings, at: Date): Promise<BreakerTransition | undefined> {
  const fault = outcome === 'fault';
  // A status answer counts as a request but leaves the breaker alone.
  const closes = outcome === 'answer';
  const [row] = await db.$queryRaw<{ from: BreakerState; to: BreakerState; faults: number }[]>`
    WITH counted AS (
      INSERT INTO supplier_call_minutes (supplier_id, minute, requests, faults)
      VALUES (${id}, date_trunc('minute', ${at}::timestamptz), 1, ${fault ? 1 : 0})
      ON CONFLICT (supplier_id, minute) DO UPDATE SET requests = supplier_call_minutes.requests + 1, faults = supplier_call_minutes.faults + EXCLUDED.faults
    ), before AS (
      SELECT id, breaker_state FROM suppliers WHERE id = ${id} FOR UPDATE
    ), after AS (
      UPDATE suppliers s SET
        consecutive_faults = CASE WHEN ${fault}::boolean THEN s.consecutive_faults + 1 ELSE 0 END,
        breaker_state = CASE
          WHEN ${closes}::boolean THEN 'CLOSED'
          WHEN s.breaker_state = 'HALF_OPEN' OR s.consecutive_faults + 1 >= ${faultsToOpen} THEN 'OPEN'
          ELSE s.breaker_state END::"BreakerState",
        breaker_changed_at = CASE
          WHEN ${closes}::boolean AND s.breaker_state <> 'CLOSED' THEN ${at}::timestamptz
          WHEN ${fault}::boolean AND (s.breaker_state = 'HALF_OPEN' OR (s.breaker_state = 'CLOSED' AND s.consecutive_faults + 1 >= ${faultsToOpen})) THEN ${at}::timestamptz
          ELSE s.breaker_changed_at END
      FROM before WHERE s.id = before.id AND (${fault}::boolean OR (${closes}::boolean AND (s.consecutive_faults <> 0 OR s.breaker_state <> 'CLOSED')))
      RETURNING s.breaker_state, s.consecutive_faults
    )
    SELECT before.breaker_state AS "from", after.breaker_state AS "to", after.consecutive_faults AS faults FROM before JOIN after ON true`;
  return row && row.from !== row.to ? { supplierId: id, from: row.from, to: row.to, consecutiveFaults: row.faults } : undefined;
}

/** Applies the change; false if there is no such supplier. */
async function updateSupplier(db: Db, id: string, { rates, lowBalanceFen, ...change }: SupplierChange): Promise<boolean> {
  const updated = await db.supplier.updateMany({ where: { id }, data: { ...change, ...(lowBalanceFen !== undefined && { lowBalanceFen: BigInt(lowBalanceFen) }) } });
  if (updated.count === 0) return false;
  if (change.concurrencyLimit !== undefined) await ensureConcurrencySlots(db, id, change.concurrencyLimit);
  if (rates) {
    await db.$transaction(
      rateRows(rates).map(({ carrier, rate }) =>
        db.supplierRate.upsert({ where: { supplierId_carrier: { supplierId: id, carrier } }, create: { supplierId: id, carrier, rate }, update: { rate } }),
      ),
    );
  }
  return true;
}

export function createSupplierRepository(db: Db) {
  async function find(id?: string) {
    const rows = await db.supplier.findMany({ ...(id !== undefined && { where: { id } }), include: withRates, orderBy: [{ priority: 'asc' }, { id: 'asc' }] });
    return rows.map(({ rates, ...supplier }) => ({ ...supplier, rates: ratesOf(rates) }));
  }

  return {
    async create({ rates, ...supplier }: NewSupplier): Promise<boolean> {
      const created = await db.supplier.createMany({ data: [{ ...supplier, lowBalanceFen: BigInt(supplier.lowBalanceFen) }], skipDuplicates: true });
      if (created.count === 0) return false;
      await db.supplierRate.createMany({ data: rateRows(rates).map((row) => ({ ...row, supplierId: supplier.id })) });
      await ensureConcurrencySlots(db, supplier.id, supplier.concurrencyLimit);
      return true;
    },

    /** Creates the supplier or brings its settings to these values; its balance and breaker are left alone (the demo's suppliers). */
    async upsert({ rates, ...supplier }: NewSupplier): Promise<void> {
      const data = { ...supplier, lowBalanceFen: BigInt(supplier.lowBalanceFen) };
      await db.$transaction([
        db.supplier.upsert({ where: { id: supplier.id }, create: data, update: data }),
        db.supplierRate.deleteMany({ where: { supplierId: supplier.id } }),
        db.supplierRate.createMany({ data: rateRows(rates).map((row) => ({ ...row, supplierId: supplier.id })) }),
      ]);
      await ensureConcurrencySlots(db, supplier.id, supplier.concurrencyLimit);
    },

    /** What the merchant pays for the order, in fen: no supplier may cost more. Undefined for orders placed before merchant accounts. */
    async merchantPriceFen(orderId: string): Promise<number | undefined> {
      const order = await db.order.findUnique({ where: { id: orderId }, select: { costFen: true } });
      return order?.costFen == null ? undefined : Number(order.costFen);
    },

    /** Every supplier with its rates, breaker and balance, by priority. */
    list: () => find(),

    findById: async (id: string) => (await find(id))[0],

    /** Applies the change; false if there is no such supplier. */
    update: (id: string, change: SupplierChange) => updateSupplier(db, id, change),

    /** Requests and faults per supplier over the last 5 minutes. */
    health: () => healthOf(db),

    /** Lets one probe through an open breaker past its cool-down at `at`: see claimProbe. */
    claimProbe: (id: string, settings: BreakerSettings, at: Date) => claimProbe(db, id, settings, at),

    /** One of the supplier's concurrency slots, shared by every worker: see acquireConcurrencySlot. */
    acquireConcurrencySlot: (id: string, leaseMs: number) => acquireConcurrencySlot(db, id, leaseMs),

    releaseConcurrencySlot: (lease: CallLease) => releaseConcurrencySlot(db, lease),

    /** The supplier's next call slot, shared by every worker: see reserveCallSlot. */
    reserveCallSlot: (id: string, rateLimitPerSecond: number) => reserveCallSlot(db, id, rateLimitPerSecond),

    /** Counts a call made at `at` and moves the breaker: see recordCall. */
    recordCall: (id: string, outcome: CallOutcome, settings: BreakerSettings, at: Date) => recordCall(db, id, outcome, settings, at),
  };
}

export type SupplierRepository = ReturnType<typeof createSupplierRepository>;
export type SupplierRow = NonNullable<Awaited<ReturnType<SupplierRepository['findById']>>>;
