import { CARRIERS, type Carrier } from '../shared/carriers.ts';
import type { Db } from './prisma.ts';

/** Price per carrier as a decimal string ("0.985"), exactly as stored. */
export type MerchantRates = Record<Carrier, string>;

export interface NewMerchant {
  id: string;
  name: string;
  apiKeyHash: string;
  callbackSecret: string;
  rates: MerchantRates;
}

const withRates = { rates: { select: { carrier: true, rate: true } } } as const;
const withLimits = { submitRateLimitPerSecond: true, readRateLimitPerSecond: true } as const;

/** A merchant's own request limits per second; null: the deployment's default. */
export interface MerchantLimits {
  submitPerSecond: number | null;
  readPerSecond: number | null;
}

const limitsOf = (row: { submitRateLimitPerSecond: number | null; readRateLimitPerSecond: number | null }) => ({
  submitPerSecond: row.submitRateLimitPerSecond,
  readPerSecond: row.readRateLimitPerSecond,
});

/** Rates as the API shows them: "0.985000" becomes "0.985". */
function ratesOf(rows: { carrier: string; rate: { toString(): string } }[]): MerchantRates {
  return Object.fromEntries(rows.map(({ carrier, rate }) => [carrier, rate.toString()])) as MerchantRates;
}

async function setLimits(db: Db, id: string, limits: Partial<MerchantLimits>): Promise<boolean> {
  const { count } = await db.merchant.updateMany({
    where: { id },
    data: {
      ...(limits.submitPerSecond !== undefined && { submitRateLimitPerSecond: limits.submitPerSecond }),
      ...(limits.readPerSecond !== undefined && { readRateLimitPerSecond: limits.readPerSecond }),
    },
  });
  return count === 1;
}

export function createMerchantRepository(db: Db) {
  const rateRows = (rates: MerchantRates) => CARRIERS.map((carrier) => ({ carrier, rate: rates[carrier] }));

  return {
    async create({ rates, ...merchant }: NewMerchant): Promise<void> {
      await db.merchant.create({ data: { ...merchant, rates: { create: rateRows(rates) } } });
    },

    /** Creates the merchant or brings its key, secret and rates to these values; its balance is left alone. */
    async upsert({ rates, ...merchant }: NewMerchant): Promise<void> {
      await db.$transaction([
        db.merchant.upsert({ where: { id: merchant.id }, create: merchant, update: merchant }),
        ...rateRows(rates).map(({ carrier, rate }) =>
          db.merchantRate.upsert({
            where: { merchantId_carrier: { merchantId: merchant.id, carrier } },
            create: { merchantId: merchant.id, carrier, rate },
            update: { rate },
          }),
        ),
      ]);
    },

    /** The merchant a request's API key belongs to, with what pricing an order needs and its own request limits. */
    async findByApiKeyHash(apiKeyHash: string) {
      const merchant = await db.merchant.findUnique({
        where: { apiKeyHash },
        select: { id: true, name: true, ...withLimits, ...withRates },
      });
      return (
        merchant && { id: merchant.id, name: merchant.name, rates: ratesOf(merchant.rates), limits: limitsOf(merchant) }
      );
    },

    async findById(id: string) {
      const merchant = await db.merchant.findUnique({
        where: { id },
        select: { id: true, name: true, balanceFen: true, ...withLimits, ...withRates },
      });
      return (
        merchant && {
          id: merchant.id,
          name: merchant.name,
          balanceFen: merchant.balanceFen,
          rates: ratesOf(merchant.rates),
          limits: limitsOf(merchant),
        }
      );
    },

    /** Sets the merchant's own request limits (null: back to the default); false if there is no such merchant. */
    setLimits: (id: string, limits: Partial<MerchantLimits>) => setLimits(db, id, limits),

    async balance(id: string): Promise<bigint | undefined> {
      return (await db.merchant.findUnique({ where: { id }, select: { balanceFen: true } }))?.balanceFen;
    },
  };
}

export type MerchantRepository = ReturnType<typeof createMerchantRepository>;
export type MerchantAccount = NonNullable<Awaited<ReturnType<MerchantRepository['findById']>>>;
export type AuthenticatedMerchant = NonNullable<Awaited<ReturnType<MerchantRepository['findByApiKeyHash']>>>;
