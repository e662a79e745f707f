import type { Carrier } from '../shared/carriers.ts';

/**
 * Price per carrier as a decimal string ("0.985"), exactly as stored; `slow`:
 * the price of a slow order per carrier (a carrier without one: the merchant
 * does not buy slow orders of it).
 */
export type MerchantRates = Record<Carrier, string> & { slow?: Partial<Record<Carrier, string>> };

/** A merchant_rates row, its decimals as Prisma or pg (a JSON number) read them. */
type RateRow = { carrier: string; rate: { toString(): string }; slowRate: { toString(): string } | null };

/** Rates as the API shows them: "0.985000" becomes "0.985". */
export function ratesOf(rows: RateRow[]): MerchantRates {
  const slowRows = rows.filter((row) => row.slowRate !== null);
  return {
    ...(Object.fromEntries(rows.map(({ carrier, rate }) => [carrier, rate.toString()])) as Record<Carrier, string>),
    ...(slowRows.length > 0 && {
      slow: Object.fromEntries(slowRows.map(({ carrier, slowRate }) => [carrier, String(slowRate)])),
    }),
  };
}
