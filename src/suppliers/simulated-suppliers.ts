import { CARRIERS, DENOMINATIONS_YUAN } from '../shared/carriers.ts';
import { SPEEDS } from '../shared/speeds.ts';
import type { Db } from '../db/prisma.ts';
import { createSupplierLedgerRepository } from '../db/supplier-ledger-repository.ts';
import { createSupplierRepository } from '../db/supplier-repository.ts';

/** A carrier simulator registered as a supplier. */
export interface SimulatedSupplier {
  id: string;
  baseUrl: string;
  /** The secret the simulator signs its callbacks with. */
  callbackSecret: string;
  /** Lower is tried first. */
  priority: number;
  rateLimitPerSecond?: number;
  concurrencyLimit?: number;
}

/** 10,000,000 yuan of prepaid balance: more than any demo or benchmark spends. */
export const SIMULATED_SUPPLIER_OPENING_BALANCE_FEN = 1_000_000_000;
/** What a simulated supplier charges: 3 % under face value, below the demo merchant's price. */
export const SIMULATED_SUPPLIER_RATE = '0.97';

/**
 * Development, tests, benchmark and chaos run: carrier simulators as
 * suppliers selling every carrier and face value, each with a prepaid
 * balance. Idempotent: the settings follow the arguments, the opening
 * balance is credited once (its requestId).
 */
export async function ensureSimulatedSuppliers(db: Db, suppliers: SimulatedSupplier[]): Promise<void> {
  const repository = createSupplierRepository(db);
  const ledger = createSupplierLedgerRepository(db);
  for (const {
    id,
    baseUrl,
    callbackSecret,
    priority,
    rateLimitPerSecond = 1_000,
    concurrencyLimit = 1_000,
  } of suppliers) {
    await repository.upsert({
      id,
      name: `Simulated carrier ${id}`,
      baseUrl,
      callbackSecret,
      carriers: [...CARRIERS],
      faceValuesYuan: [...DENOMINATIONS_YUAN],
      // National channels of both speeds (a simulator answers a slow order as fast as a fast one).
      provinces: [],
      speeds: [...SPEEDS],
      rates: Object.fromEntries(CARRIERS.map((carrier) => [carrier, SIMULATED_SUPPLIER_RATE])),
      priority,
      weight: 1,
      rateLimitPerSecond,
      concurrencyLimit,
      enabled: true,
      lowBalanceFen: 100_000,
    });
    await ledger.topUp({
      supplierId: id,
      amountFen: SIMULATED_SUPPLIER_OPENING_BALANCE_FEN,
      requestId: 'opening-balance',
      operator: 'setup',
      note: 'opening balance of a simulated supplier',
    });
  }
}
