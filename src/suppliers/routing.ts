/**
 * The routing rule, as a pure function over the suppliers' current data:
 * which suppliers may take an order, in what order they are tried, and why
 * each other one is passed over. The breaker's half-open probe is claimed by
 * the caller (it is a write), in this order.
 */
import { createHash } from 'node:crypto';
import { costFen } from '../merchants/pricing.ts';
import type { Carrier } from '../shared/carriers.ts';
import type { Speed } from '../shared/speeds.ts';
import { BreakerState, type SkippedSupplier } from '../shared/suppliers.ts';
import { offerGap } from '../products/offer.ts';
import { breakerOf, mayProbe, type Breaker, type BreakerSettings } from './breaker.ts';

export interface RoutableSupplier {
  id: string;
  enabled: boolean;
  carriers: string[];
  faceValuesYuan: number[];
  /** Empty: every province (a national channel). */
  provinces: string[];
  speeds: string[];
  priority: number;
  weight: number;
  balanceFen: bigint;
  /** Rate per carrier as stored ("0.97"). */
  rates: Partial<Record<string, string>>;
  breakerState: BreakerState;
  /** The breaker opened (or its probe started) at least a cool-down ago: a probe may go through. */
  coolDownOver: boolean;
}

export interface RoutableOrder {
  orderId: string;
  carrier: Carrier;
  amountYuan: number;
  /** Absent on orders from before number segments: only national suppliers serve them. */
  province?: string | undefined;
  /** Absent on orders from before speeds: fast. */
  speed?: Speed | undefined;
  attempt: number;
  /** What the merchant pays; undefined for orders placed before merchant accounts (no ceiling). */
  merchantPriceFen: number | undefined;
  declined: string[];
  resting: string[];
}

export interface Candidate {
  supplierId: string;
  costFen: number;
  /** Its breaker is open past the cool-down: it may take one probe, if the caller claims it. */
  probe: boolean;
}

/**
 * Suppliers that may take the order, best first (priority ascending, a
 * provincial supplier before a national one of the same priority, then a
 * weighted draw seeded by the order and attempt, so a retried routing picks
 * the same), and those passed over with why.
 */
export function rankSuppliers(
  suppliers: RoutableSupplier[],
  order: RoutableOrder,
): { candidates: Candidate[]; skipped: SkippedSupplier[] } {
  const skipped: SkippedSupplier[] = [];
  const eligible: (Candidate & { priority: number; weight: number })[] = [];
  for (const supplier of suppliers) {
    const skip = (reason: string, lasting: boolean) => skipped.push({ supplierId: supplier.id, reason, lasting });
    const rate = supplier.rates[order.carrier] as string;
    const gap = offerGap(supplier, { ...order, faceValueYuan: order.amountYuan, speed: order.speed ?? 'fast' });
    if (order.declined.includes(supplier.id)) skip('declined this order', true);
    else if (gap !== undefined) skip(gap, true);
    else if (order.merchantPriceFen !== undefined && costFen(order.amountYuan, rate) > order.merchantPriceFen)
      skip(`costs ${costFen(order.amountYuan, rate)} fen, more than the merchant's ${order.merchantPriceFen}`, true);
    else if (!supplier.enabled) skip('disabled', false);
    else if (supplier.balanceFen < BigInt(costFen(order.amountYuan, rate)))
      skip(`prepaid balance ${supplier.balanceFen} fen is below the cost`, false);
    else if (supplier.breakerState !== BreakerState.CLOSED && !supplier.coolDownOver)
      skip(`circuit breaker ${supplier.breakerState}`, false);
    else
      eligible.push({
        supplierId: supplier.id,
        costFen: costFen(order.amountYuan, rate),
        probe: supplier.breakerState !== BreakerState.CLOSED,
        // Within a priority, the suppliers of the order's own province come first.
        priority: supplier.priority * 2 + (supplier.provinces.length === 0 ? 1 : 0),
        weight: supplier.weight,
      });
  }
  const seed = `${order.orderId}:${order.attempt}`;
  const byPriority = (suppliers: typeof eligible) =>
    [...new Set(suppliers.map((s) => s.priority))]
      .sort((a, b) => a - b)
      .flatMap((priority) =>
        weightedOrder(
          suppliers.filter((s) => s.priority === priority),
          seed,
        ),
      );
  // A supplier that just never received an attempt comes last: any other first, or it again (with a new request id) if it is the only one.
  const resting = (s: (typeof eligible)[number]) => order.resting.includes(s.supplierId);
  const ranked = [...byPriority(eligible.filter((s) => !resting(s))), ...byPriority(eligible.filter(resting))];
  return {
    candidates: ranked.map(({ supplierId, costFen: cost, probe }) => ({ supplierId, costFen: cost, probe })),
    skipped,
  };
}

/**
 * `rankSuppliers` over the suppliers as stored, at `now`: an open breaker
 * past its cool-down makes its supplier a probe candidate. Also answers each
 * supplier's breaker, for the caller's claim of a probe.
 */
export function rankNow(
  suppliers: (Omit<RoutableSupplier, 'coolDownOver'> & Parameters<typeof breakerOf>[0])[],
  order: RoutableOrder,
  settings: BreakerSettings,
  now: Date,
): ReturnType<typeof rankSuppliers> & { breakers: Map<string, Breaker> } {
  const breakers = new Map(suppliers.map((s) => [s.id, breakerOf(s)]));
  const routable = suppliers.map((s) => ({
    ...s,
    coolDownOver: mayProbe(breakers.get(s.id) as Breaker, settings, now),
  }));
  return { ...rankSuppliers(routable, order), breakers };
}

/** A weighted shuffle (Efraimidis-Spirakis keys), deterministic in the seed. */
function weightedOrder<T extends { supplierId: string; weight: number }>(suppliers: T[], seed: string): T[] {
  const key = (s: T) => Math.log(uniform(`${seed}:${s.supplierId}`)) / Math.max(s.weight, 1e-9);
  return suppliers
    .map((s) => ({ s, k: key(s) }))
    .sort((a, b) => b.k - a.k)
    .map(({ s }) => s);
}

/** A number in (0, 1) from a string. */
function uniform(text: string): number {
  const n = createHash('sha256').update(text).digest().readUInt32BE(0);
  return (n + 1) / 2 ** 32;
}
