import type { LedgerRepository } from '../db/ledger-repository.ts';
import type { OperatorRepository } from '../db/operator-repository.ts';
import type { RiskRepository } from '../db/risk-repository.ts';
import type { MerchantRepository } from '../db/merchant-repository.ts';
import type { SupplierLedgerRepository } from '../db/supplier-ledger-repository.ts';
import type { SupplierRepository } from '../db/supplier-repository.ts';
import type { Services } from '../orders/services.ts';
import type { SupplierBillService } from '../supplier-bills/bill-service.ts';
import type { HttpMetrics } from '../observability/http-metrics.ts';
import type { Readiness } from '../observability/readiness.ts';
import type { DatabaseStalls } from '../db/database-stalls.ts';
import type { Logger } from '../util/logger.ts';
import type { StatementService } from '../statements/statement-service.ts';
import type { RateLimits } from './rate-limits.ts';

/**
 * What the HTTP layer needs; the server builds real ones, tests may build
 * their own. Orders, callbacks and reconciliations go through the services;
 * merchant and supplier accounts and balances are plain repository reads and writes.
 */
export interface ApiDeps extends Omit<Services, 'orderDispatcher'> {
  merchants: MerchantRepository;
  ledger: LedgerRepository;
  suppliers: SupplierRepository;
  supplierLedger: SupplierLedgerRepository;
  /** Supplier bill reconciliation (上游对账). */
  supplierBills: SupplierBillService;
  /** Blocked numbers and the per-number limits, as admins manage them. */
  risk: RiskRepository;
  /** Merchants' daily statements: issued ones as kept, a closed day's issued on its first read. */
  statements: StatementService;
  logger: Logger;
  callbackSecret: string;
  /** The admin API's operators, found by their token. */
  operators: Pick<OperatorRepository, 'findByTokenHash'>;
  /** Development only: ADMIN_TOKEN, which acts as the bootstrap admin (production refuses it). */
  adminBootstrapToken?: string | undefined;
  metrics: HttpMetrics;
  rateLimits: RateLimits;
  /** Whether the database has stopped answering the API's pool: requests then get 503 in time. */
  databaseStalls: Pick<DatabaseStalls, 'stalled'>;
  /** The database and Temporal, as `/readyz` asks them. */
  readiness: Readiness;
}
