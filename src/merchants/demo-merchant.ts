import { createLedgerRepository } from '../db/ledger-repository.ts';
import { createMerchantRepository } from '../db/merchant-repository.ts';
import type { Db } from '../db/prisma.ts';
import { hashApiKey } from './credentials.ts';

export const DEMO_MERCHANT_ID = 'demo';
/** 10,000,000 yuan: more than any demo or benchmark spends. */
export const DEMO_OPENING_BALANCE_FEN = 1_000_000_000;

/**
 * Development only: a merchant whose key is known in advance, so the README's
 * examples work as written. Idempotent: the opening balance is credited once
 * (its requestId), the key and secret follow the environment.
 */
export async function ensureDemoMerchant(
  db: Db,
  { apiKey, callbackSecret }: { apiKey: string; callbackSecret: string },
): Promise<void> {
  await createMerchantRepository(db).upsert({
    id: DEMO_MERCHANT_ID,
    name: 'Demo merchant',
    apiKeyHash: hashApiKey(apiKey),
    callbackSecret,
    rates: { CMCC: '1', CUCC: '1', CTCC: '1', slow: { CMCC: '0.98', CUCC: '0.98', CTCC: '0.98' } },
  });
  await createLedgerRepository(db).postAdminEntry({
    merchantId: DEMO_MERCHANT_ID,
    type: 'TOP_UP',
    amountFen: DEMO_OPENING_BALANCE_FEN,
    requestId: 'demo-opening-balance',
    operator: 'npm start',
    note: 'development balance of the demo merchant',
  });
}
