import type { ActivityDeps } from '../activities/index.ts';
import type { SupplierCallDeps } from '../activities/supplier-calls.ts';
import { createCarrierClient } from '../carrier/client.ts';
import { createLedgerRepository } from '../db/ledger-repository.ts';
import { createOrderRepository } from '../db/order-repository.ts';
import type { Db } from '../db/prisma.ts';
import { createReconciliationRepository } from '../db/reconciliation-repository.ts';
import { createSupplierBillRepository } from '../db/supplier-bill-repository.ts';
import { createSupplierBillService } from '../supplier-bills/bill-service.ts';
import { createSupplierLedgerRepository } from '../db/supplier-ledger-repository.ts';
import { createStatementRepository } from '../db/statement-repository.ts';
import { createSupplierRepository } from '../db/supplier-repository.ts';
import { createStatementService } from '../statements/statement-service.ts';
import type { BreakerSettings } from '../suppliers/breaker.ts';
import { systemClock } from '../suppliers/clock.ts';
import { createSupplierDirectory } from '../suppliers/directory.ts';
import { createLowBalanceAlert } from '../suppliers/low-balance-alert.ts';

export interface WorkerSettings {
  /** The carrier of orders started before suppliers. */
  carrierBaseUrl: string;
  carrierTimeoutMs: number;
  /** Where suppliers reach the API's callback endpoints. */
  publicBaseUrl: string;
  alertWebhookUrl?: string | undefined;
  breaker: BreakerSettings;
}

export type WorkerDeps = ActivityDeps & SupplierCallDeps;

/** Every activity's dependencies over one database: what a worker process runs on (tests swap single parts). */
export function createWorkerDeps(prisma: Db, settings: WorkerSettings): WorkerDeps {
  const suppliers = createSupplierRepository(prisma);
  return {
    orders: createOrderRepository(prisma),
    ledger: createLedgerRepository(prisma),
    reconciliations: createReconciliationRepository(prisma),
    suppliers,
    supplierLedger: createSupplierLedgerRepository(prisma),
    supplierBills: createSupplierBillService({ bills: createSupplierBillRepository(prisma), suppliers }),
    statements: createStatementService({ statements: createStatementRepository(prisma) }),
    directory: createSupplierDirectory({
      suppliers,
      publicBaseUrl: settings.publicBaseUrl,
      timeoutMs: settings.carrierTimeoutMs,
    }),
    breaker: settings.breaker,
    clock: systemClock,
    lowBalanceAlert: createLowBalanceAlert({ alertWebhookUrl: settings.alertWebhookUrl }),
    carrier: createCarrierClient(settings.carrierBaseUrl, settings.carrierTimeoutMs),
    alertWebhookUrl: settings.alertWebhookUrl,
  };
}
