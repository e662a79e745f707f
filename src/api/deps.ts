import type { Client } from '@temporalio/client';
import type { LedgerRepository } from '../db/ledger-repository.ts';
import type { MerchantRepository } from '../db/merchant-repository.ts';
import type { OrderRepository } from '../db/order-repository.ts';
import type { ReconciliationRepository } from '../db/reconciliation-repository.ts';
import type { Logger } from '../util/logger.ts';

/** What the HTTP layer needs; the server builds real ones, tests may build their own. */
export interface ApiDeps {
  orders: OrderRepository;
  merchants: MerchantRepository;
  ledger: LedgerRepository;
  reconciliations: ReconciliationRepository;
  temporal: Client;
  logger: Logger;
  callbackSecret: string;
  adminToken: string;
  slaSeconds: number;
}
