import { createApp } from '../../../src/api/app.ts';
import { inProcessClient } from '../app-request.ts';
import { createHttpMetrics } from '../../../src/observability/http-metrics.ts';
import { createRateLimits, type RateLimitSettings } from '../../../src/api/rate-limits.ts';
import { createReadiness } from '../../../src/observability/readiness.ts';
import type { ApiDeps } from '../../../src/api/deps.ts';
import type { LedgerEntryRow } from '../../../src/db/ledger-repository.ts';
import type { AuthenticatedMerchant, MerchantRepository } from '../../../src/db/merchant-repository.ts';
import type { OrderRow } from '../../../src/db/order-repository.ts';
import type { RiskRepository } from '../../../src/db/risk-repository.ts';
import { hashToken } from '../../../src/operators/tokens.ts';
import { hashApiKey } from '../../../src/merchants/credentials.ts';
import type { OrderEventRow } from '../../../src/db/order-repository.ts';
import type { Services } from '../../../src/orders/services.ts';
import type { SupplierBillService } from '../../../src/supplier-bills/bill-service.ts';
import type { StatementService } from '../../../src/statements/statement-service.ts';
import { createLogger } from '../../../src/util/logger.ts';

export const ORDER_ID = '5b0f4c3e-7a52-4b8e-9d3c-1f2e3a4b5c6d';
export const CALLBACK_SECRET = 'route-test-callback-secret';
/** The development bootstrap token: an admin named bootstrap-admin. */
export const ADMIN = { authorization: 'Bearer route-test-admin-token' };
/** Operators with tokens of their own, one per role. */
export const OPERATORS = {
  viewer: { name: 'vera', role: 'viewer', token: 'route-test-viewer-token' },
  operator: { name: 'alice', role: 'operator', token: 'route-test-operator-token' },
  admin: { name: 'ada', role: 'admin', token: 'route-test-admin-operator-token' },
} as const;
export const AS = {
  viewer: { authorization: `Bearer ${OPERATORS.viewer.token}` },
  operator: { authorization: `Bearer ${OPERATORS.operator.token}` },
  admin: { authorization: `Bearer ${OPERATORS.admin.token}` },
};
const MERCHANT_KEY = 'rk_route-test-key';
export const AS_MERCHANT = { authorization: `Bearer ${MERCHANT_KEY}` };
export const MERCHANT: AuthenticatedMerchant = {
  id: 'merchant-1',
  name: 'route test',
  rates: { CMCC: '0.985', CUCC: '1', CTCC: '1', slow: { CMCC: '0.97' } },
  limits: { submitPerSecond: null, readPerSecond: null },
};

/** An object whose given methods answer and whose every other method fails the request (a 500) if a route calls it. */
export function stub<T extends object>(name: string, methods: Partial<T> = {}): T {
  return new Proxy(methods, {
    get(target, property) {
      if (typeof property === 'symbol' || property === 'then') return undefined;
      if (property in target) return target[property as keyof typeof target];
      return () => {
        throw new Error(`${name}.${property} was not expected to be called`);
      };
    },
  }) as T;
}

/**
 * The real app over fake services: no PostgreSQL, no Temporal. Merchant
 * authentication knows one key (AS_MERCHANT), as the merchant repository's
 * lookup would; the admin token is ADMIN's.
 */
export function fakeApp(
  services: Partial<Services> = {},
  limits: RateLimitSettings = { merchantPerSecond: 100_000, failedKeysPerMinute: 100_000 },
  merchantReads: Partial<MerchantRepository> = {},
  risk: Partial<RiskRepository> = {},
  supplierBills: Partial<SupplierBillService> = {},
  statements: Partial<StatementService> = {},
) {
  const deps: ApiDeps = {
    orderService: services.orderService ?? stub('orderService'),
    productService: services.productService ?? stub('productService'),
    operatorService: services.operatorService ?? stub('operatorService'),
    callbackService: services.callbackService ?? stub('callbackService'),
    reconciliationService: services.reconciliationService ?? stub('reconciliationService'),
    reversalService: services.reversalService ?? stub('reversalService'),
    merchants: stub<MerchantRepository>('merchants', {
      findByApiKeyHash: async (hash: string) => (hash === hashApiKey(MERCHANT_KEY) ? MERCHANT : null),
      ...merchantReads,
    }),
    ledger: stub('ledger'),
    suppliers: stub('suppliers'),
    supplierLedger: stub('supplierLedger'),
    supplierBills: stub('supplierBills', supplierBills),
    risk: stub('risk', risk),
    statements: stub('statements', statements),
    logger: createLogger('route-test', 'silent'),
    callbackSecret: CALLBACK_SECRET,
    operators: {
      findByTokenHash: async (hash: string) => {
        const found = Object.values(OPERATORS).find(({ token }) => hashToken(token) === hash);
        return found ? { name: found.name, role: found.role } : null;
      },
    },
    adminBootstrapToken: 'route-test-admin-token',
    metrics: createHttpMetrics(),
    rateLimits: createRateLimits(limits),
    databaseStalls: { stalled: async () => false },
    readiness: createReadiness({}),
  };
  const app = createApp(deps);
  return {
    app,
    request: inProcessClient(app),
  };
}

const at = new Date('2026-11-23T12:00:00.000Z');

export function orderRow(fields: Partial<OrderRow> = {}): OrderRow {
  return {
    id: ORDER_ID,
    merchantId: MERCHANT.id,
    merchantOrderNo: 'M-1',
    phone: '13812345678',
    carrier: 'CMCC',
    province: '江苏',
    city: '连云港',
    speed: 'fast',
    amountYuan: 50,
    costFen: 4925n,
    notifyUrl: null,
    status: 'PENDING',
    carrierOrderId: null,
    failureReason: null,
    escalatedAt: null,
    finishedAt: null,
    resolvedBy: null,
    needsReview: false,
    reviewReason: null,
    notifyStatus: null,
    notifyAttempts: 0,
    notifyLastError: null,
    notifiedAt: null,
    supplierId: null,
    supplierCostFen: null,
    slaDeadline: new Date(at.getTime() + 180_000),
    workflowStartedAt: null,
    createdAt: at,
    updatedAt: at,
    ...fields,
  };
}

export const submittedEvent: OrderEventRow = {
  id: 1n,
  orderId: ORDER_ID,
  key: 'submitted',
  type: 'submitted',
  detail: { amountYuan: 50 },
  createdAt: at,
};

export const debitEntry: LedgerEntryRow = {
  id: 7n,
  merchantId: MERCHANT.id,
  type: 'ORDER_DEBIT',
  debitAccount: `merchant:${MERCHANT.id}`,
  creditAccount: 'platform:sales',
  amountFen: 4925n,
  balanceAfterFen: 95075n,
  orderId: ORDER_ID,
  requestId: null,
  operator: null,
  note: null,
  createdAt: at,
};
