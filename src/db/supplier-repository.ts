import { CARRIERS } from '../shared/carriers.ts';
import type { Speed } from '../shared/speeds.ts';
import { recentSupplierChanges, recordSupplierChange } from './supplier-changes.ts';
import { preparedSql, type Db } from './prisma.ts';
import { supplierCallStore } from './supplier-call-store.ts';

/** Rate per carrier as a decimal string ("0.97"), exactly as stored. */
export type SupplierRates = Partial<Record<string, string>>;

export interface NewSupplier {
  id: string;
  name: string;
  baseUrl: string;
  callbackSecret: string;
  carriers: string[];
  faceValuesYuan: number[];
  /** The provinces it serves; empty: every province (a national channel). */
  provinces: string[];
  speeds: Speed[];
  rates: SupplierRates;
  priority: number;
  weight: number;
  rateLimitPerSecond: number;
  concurrencyLimit: number;
  enabled: boolean;
  lowBalanceFen: number;
  /** How far a callback's signed timestamp may be from our clock (default 300 s). */
  callbackMaxSkewSeconds?: number;
}

/** What an admin may change on a running supplier; the next routing decision sees it. */
export type SupplierChange = Partial<
  Pick<
    NewSupplier,
    | 'enabled'
    | 'priority'
    | 'weight'
    | 'rateLimitPerSecond'
    | 'concurrencyLimit'
    | 'rates'
    | 'lowBalanceFen'
    | 'baseUrl'
    | 'callbackMaxSkewSeconds'
    | 'provinces'
    | 'speeds'
  >
>;

/** Calls over the last 5 minutes, as the admin API shows them. */
export interface SupplierHealth {
  requests: number;
  faults: number;
  successRate: number | null;
}

const withRates = { rates: { select: { carrier: true, rate: true } } } as const;
const ratesOf = (rows: { carrier: string; rate: { toString(): string } }[]): SupplierRates =>
  Object.fromEntries(rows.map(({ carrier, rate }) => [carrier, rate.toString()]));
const rateRows = (rates: SupplierRates) =>
  CARRIERS.flatMap((carrier) => (rates[carrier] === undefined ? [] : [{ carrier, rate: rates[carrier] }]));

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

/** Makes sure slots 0 .. limit-1 exist (slots past a lowered limit stay, unused). */
async function ensureConcurrencySlots(db: Db, id: string, limit: number): Promise<void> {
  await db.$executeRaw`INSERT INTO supplier_call_leases (supplier_id, slot) SELECT ${id}, generate_series(0, ${limit}::int - 1) ON CONFLICT DO NOTHING`;
}

/** Applies the change; false if there is no such supplier. */
async function updateSupplier(
  db: Db,
  id: string,
  { rates, lowBalanceFen, ...change }: SupplierChange,
): Promise<boolean> {
  const updated = await db.supplier.updateMany({
    where: { id },
    data: { ...change, ...(lowBalanceFen !== undefined && { lowBalanceFen: BigInt(lowBalanceFen) }) },
  });
  if (updated.count === 0) return false;
  if (change.concurrencyLimit !== undefined) await ensureConcurrencySlots(db, id, change.concurrencyLimit);
  if (rates) {
    await db.$transaction(
      rateRows(rates).map(({ carrier, rate }) =>
        db.supplierRate.upsert({
          where: { supplierId_carrier: { supplierId: id, carrier } },
          create: { supplierId: id, carrier, rate },
          update: { rate },
        }),
      ),
    );
  }
  return true;
}

async function createSupplier(db: Db, { rates, ...supplier }: NewSupplier, operator: string): Promise<boolean> {
  const created = await db.supplier.createMany({
    data: [{ ...supplier, lowBalanceFen: BigInt(supplier.lowBalanceFen) }],
    skipDuplicates: true,
  });
  if (created.count === 0) return false;
  await db.supplierRate.createMany({ data: rateRows(rates).map((row) => ({ ...row, supplierId: supplier.id })) });
  await ensureConcurrencySlots(db, supplier.id, supplier.concurrencyLimit);
  const { callbackSecret: _secret, ...change } = supplier;
  await recordSupplierChange(db, supplier.id, operator, { created: { ...change, rates } });
  return true;
}

/** The suppliers: their settings and health here, what their calls need in supplier-call-store.ts. */
export function createSupplierRepository(db: Db) {
  const sql = preparedSql(db);
  async function find(id?: string) {
    const rows = await db.supplier.findMany({
      ...(id !== undefined && { where: { id } }),
      include: withRates,
      orderBy: [{ priority: 'asc' }, { id: 'asc' }],
    });
    return rows.map(({ rates, ...supplier }) => ({ ...supplier, rates: ratesOf(rates) }));
  }

  return {
    ...supplierCallStore(db),

    /** Creates the supplier as `operator` (recorded among its changes, without its secret); false if the id is taken. */
    create: (supplier: NewSupplier, operator: string) => createSupplier(db, supplier, operator),

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

    /** The secret the supplier signs its callbacks with, and how old their timestamps may be (at every callback: one prepared statement). */
    async callbackAuthOf(id: string): Promise<{ secret: string; maxSkewSeconds: number } | undefined> {
      const [row] = await sql<{ secret: string; maxSkewSeconds: number }>`
        SELECT callback_secret AS secret, callback_max_skew_seconds AS "maxSkewSeconds" FROM suppliers WHERE id = ${id}`;
      return row;
    },

    findById: async (id: string) => (await find(id))[0],

    /** Applies the change as `operator` (recorded among the supplier's changes); false if there is no such supplier. */
    async update(id: string, change: SupplierChange, operator: string): Promise<boolean> {
      if (!(await updateSupplier(db, id, change))) return false;
      await recordSupplierChange(db, id, operator, change);
      return true;
    },

    /** The supplier's last changes, newest first: who, when, what they set. */
    recentChanges: (id: string) => recentSupplierChanges(db, id),

    /** Requests and faults per supplier over the last 5 minutes. */
    health: () => healthOf(db),
  };
}

export type SupplierRepository = ReturnType<typeof createSupplierRepository>;
export type SupplierRow = NonNullable<Awaited<ReturnType<SupplierRepository['findById']>>>;
