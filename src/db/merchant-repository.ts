import { randomUUID } from 'node:crypto';
import { CARRIERS } from '../shared/carriers.ts';
import { merchantCredit } from './merchant-credit.ts';
import { ratesOf, type MerchantRates } from './merchant-rates.ts';
import { createMerchantKeyRepository } from './merchant-key-repository.ts';
import type { Db } from './prisma.ts';

export type { MerchantRates } from './merchant-rates.ts';
export type { MerchantBalance } from './merchant-credit.ts';

export interface NewMerchant {
  id: string;
  name: string;
  /** The SHA-256 of its first API key. */
  apiKeyHash: string;
  callbackSecret: string;
  rates: MerchantRates;
  /** The IANA time zone its days end in (Asia/Shanghai when absent). */
  timeZone?: string | undefined;
}

/** A merchant's time zone (its statements' days) and low-balance alert threshold (0: off). */
export interface MerchantSettings {
  timeZone: string;
  lowBalanceFen: number;
}

const withRates = { rates: { select: { carrier: true, rate: true, slowRate: true } } } as const;
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

async function setSettings(db: Db, id: string, { timeZone, lowBalanceFen }: Partial<MerchantSettings>) {
  const { count } = await db.merchant.updateMany({
    where: { id },
    data: {
      ...(timeZone !== undefined && { timeZone }),
      ...(lowBalanceFen !== undefined && { lowBalanceFen: BigInt(lowBalanceFen) }),
    },
  });
  return count === 1;
}

const rateRows = (rates: MerchantRates) =>
  CARRIERS.map((carrier) => ({ carrier, rate: rates[carrier], slowRate: rates.slow?.[carrier] ?? null }));

const rateUpserts = (db: Db, merchantId: string, rates: MerchantRates) =>
  rateRows(rates).map(({ carrier, rate, slowRate }) =>
    db.merchantRate.upsert({
      where: { merchantId_carrier: { merchantId, carrier } },
      create: { merchantId, carrier, rate, slowRate },
      update: { rate, slowRate },
    }),
  );

async function upsertMerchant(db: Db, { rates, ...merchant }: NewMerchant): Promise<void> {
  const { id: merchantId, apiKeyHash: keyHash } = merchant;
  await db.$transaction([
    db.merchant.upsert({ where: { id: merchantId }, create: merchant, update: merchant }),
    ...rateUpserts(db, merchantId, rates),
    db.merchantApiKey.updateMany({
      where: { merchantId, keyHash: { not: keyHash }, revokedAt: null },
      data: { revokedAt: new Date() },
    }),
    db.merchantApiKey.upsert({
      where: { keyHash },
      create: { id: randomUUID(), merchantId, keyHash },
      update: { merchantId, revokedAt: null },
    }),
  ]);
}

async function findById(db: Db, id: string) {
  const merchant = await db.merchant.findUnique({
    where: { id },
    select: {
      id: true,
      name: true,
      balanceFen: true,
      creditLimitFen: true,
      timeZone: true,
      lowBalanceFen: true,
      ...withLimits,
      ...withRates,
    },
  });
  return (
    merchant && {
      id: merchant.id,
      name: merchant.name,
      balanceFen: merchant.balanceFen,
      creditLimitFen: merchant.creditLimitFen,
      timeZone: merchant.timeZone,
      lowBalanceFen: merchant.lowBalanceFen,
      rates: ratesOf(merchant.rates),
      limits: limitsOf(merchant),
    }
  );
}

export function createMerchantRepository(db: Db) {
  return {
    ...createMerchantKeyRepository(db),
    ...merchantCredit(db),

    /**
     * Creates the merchant with its first API key; the key's id. The key's hash is copied to the
     * merchant's old column (for processes of the previous build) after the key is stored, so that the
     * upgrade's trigger, which stores that build's merchants' keys, does not store it a second time.
     */
    async create({ rates, apiKeyHash: keyHash, ...merchant }: NewMerchant): Promise<{ keyId: string }> {
      const keyId = randomUUID();
      await db.$transaction([
        db.merchant.create({
          data: { ...merchant, rates: { create: rateRows(rates) }, apiKeys: { create: { id: keyId, keyHash } } },
        }),
        db.merchant.update({ where: { id: merchant.id }, data: { apiKeyHash: keyHash } }),
      ]);
      return { keyId };
    },

    /**
     * Creates the merchant or brings its secret, rates and key to these values (its other keys are
     * revoked, a revoked one with this hash is active again); its balance is left alone.
     */
    upsert: (merchant: NewMerchant) => upsertMerchant(db, merchant),

    findById: (id: string) => findById(db, id),

    /** Replaces the merchant's rates, fast and slow. */
    async setRates(merchantId: string, rates: MerchantRates): Promise<void> {
      await db.$transaction(rateUpserts(db, merchantId, rates));
    },

    /** Sets the merchant's own request limits (null: back to the default); false if there is no such merchant. */
    setLimits: (id: string, limits: Partial<MerchantLimits>) => setLimits(db, id, limits),

    /** Sets the merchant's time zone and low-balance threshold (those given); false if there is no such merchant. */
    setSettings: (id: string, settings: Partial<MerchantSettings>) => setSettings(db, id, settings),
  };
}

export type MerchantRepository = ReturnType<typeof createMerchantRepository>;
export type MerchantAccount = NonNullable<Awaited<ReturnType<MerchantRepository['findById']>>>;
export type AuthenticatedMerchant = NonNullable<Awaited<ReturnType<MerchantRepository['findByApiKeyHash']>>>;
