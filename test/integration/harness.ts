import { createStatementRepository } from '../../src/db/statement-repository.ts';
import { createStatementService } from '../../src/statements/statement-service.ts';
import { createMerchantLowBalanceAlert } from '../../src/merchants/low-balance-alert.ts';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Hono } from 'hono';
import { createApp } from '../../src/api/app.ts';
import type { ApiDeps } from '../../src/api/deps.ts';
import { createCarrierSimulator } from '../../src/carrier-sim/simulator.ts';
import { createLedgerRepository } from '../../src/db/ledger-repository.ts';
import { createMerchantRepository, type MerchantRates } from '../../src/db/merchant-repository.ts';
import { createOperatorRepository } from '../../src/db/operator-repository.ts';
import type { OperatorRole } from '../../src/operators/roles.ts';
import { hashToken, newOperatorToken } from '../../src/operators/tokens.ts';
import { createOrderRepository, type NewOrder, type OrderRepository } from '../../src/db/order-repository.ts';
import { createReconciliationRepository } from '../../src/db/reconciliation-repository.ts';
import { applyMigrations } from '../../src/db/migrate.ts';
import {
  API_DATABASE_TIMEOUTS,
  WORKER_DATABASE_TIMEOUTS,
  createPrisma,
  sqlPool,
  type Db,
} from '../../src/db/prisma.ts';
import { watchDatabaseStalls } from '../../src/db/database-stalls.ts';
import { hashApiKey, newApiKey, newCallbackSecret } from '../../src/merchants/credentials.ts';
import { createTemporaryDatabase } from '../../src/dev/temporary-database.ts';
import { temporalCliPath } from '../../src/dev/temporal-binaries.ts';
import { createServices } from '../../src/orders/services.ts';
import { createFirstRouter } from '../../src/suppliers/first-route.ts';
import { createSupplierSnapshot } from '../../src/suppliers/supplier-snapshot.ts';
import { segmentTable } from '../../src/numbers/segments.ts';
import { createRiskRepository } from '../../src/db/risk-repository.ts';
import pg from 'pg';
import { createLogger, type Logger } from '../../src/util/logger.ts';
import { ORDER_SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes.ts';
import { orderWorkflowId } from '../../src/shared/order-workflow.ts';
import type { rechargeOrder } from '../../src/workflows/recharge-order.ts';
import { createSupplierLedgerRepository } from '../../src/db/supplier-ledger-repository.ts';
import { createSupplierBillRepository } from '../../src/db/supplier-bill-repository.ts';
import { createSupplierBillService } from '../../src/supplier-bills/bill-service.ts';
import { createSupplierRepository } from '../../src/db/supplier-repository.ts';
import { ensureSimulatedSuppliers } from '../../src/suppliers/simulated-suppliers.ts';
import { createWorkerDeps, type WorkerDeps } from '../../src/worker/activity-deps.ts';
import { createDataConverter } from '../../src/temporal/data-converter.ts';
import { AesGcmPayloadCodec, parseCodecKeys } from '../../src/temporal/payload-codec.ts';
import { createCodecServerApp } from '../../src/codec-server/app.ts';
import { createHttpMetrics, openWorkOf } from '../../src/observability/http-metrics.ts';
import { createRateLimits } from '../../src/api/rate-limits.ts';
import { databaseAndTemporalReadiness } from '../../src/observability/readiness.ts';
import { createOrderWorker } from '../../src/worker/create-worker.ts';
import { startSupplierWorkers } from '../../src/worker/supplier-workers.ts';
import { makeCurrent } from '../../src/temporal/worker-deployment.ts';

export const CALLBACK_SECRET = 'integration-test-callback-secret';
/** The stack's simulator, registered as its one supplier. */
export const TEST_SUPPLIER_ID = 'sim';
/** A breaker that opens quickly and cools down in a second, so tests see it move. */
export const TEST_BREAKER = { faultsToOpen: 3, coolDownMs: 1_000 };
/** The stack's payload codec key (PAYLOAD_CODEC_KEYS of any process that joins it): its payloads are encrypted, as in production. */
export const TEST_CODEC_KEYS_ENV = `test-1:${Buffer.alloc(32, 7).toString('base64')}`;
const testDataConverter = createDataConverter(parseCodecKeys(TEST_CODEC_KEYS_ENV));
/** The stack's codec server token: the CLI reads the stack's payloads with TEMPORAL_CODEC_ENDPOINT and TEMPORAL_CODEC_AUTH. */
export const TEST_CODEC_SERVER_TOKEN = 'integration-test-codec-server-token';
export const ADMIN_TOKEN = 'integration-test-admin-token';
/** The Worker Deployment version every worker of a test stack runs as (the stack makes it current), as production workers do. */
export const TEST_VERSION = { deploymentName: 'recharge-orders', buildId: 'test' };
/** A healthy, quick carrier; tests change it for one case and the file restores it after each. */
export const HEALTHY_CARRIER = {
  refusalRate: 0,
  timeoutRate: 0,
  callbackLossRate: 0,
  callbackDuplicateRate: 0,
  callbackMinDelayMs: 50,
  callbackMaxDelayMs: 200,
};
/** The PostgreSQL server in which each test file creates and drops databases of its own. */
export const testDatabaseUrl = () => process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/**
 * A database of its own on the real PostgreSQL (or another server), migrated, dropped at the end. Its
 * per-number limits are raised far beyond the default 10 orders a day, since fixtures reuse one number;
 * a test of the limits sets its own.
 */
export async function createTestDatabase(serverUrl = testDatabaseUrl()) {
  const database = await createTemporaryDatabase(serverUrl, 'recharge_test');
  await applyMigrations(database.url);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    await client.query(
      'UPDATE risk_limits SET per_number_daily_orders = 1000000, per_number_daily_amount_yuan = 1000000000',
    );
  } finally {
    await client.end();
  }
  return database;
}

/** What a fixture order is unless it says otherwise: a fast order for a number of 连云港, 江苏. */
export const FIXTURE_ORDER = {
  phone: '13812345678',
  carrier: 'CMCC',
  province: '江苏',
  city: '连云港',
  speed: 'fast',
  amountYuan: 50,
  costFen: 5000,
  slaSeconds: 180,
} as const satisfies Partial<NewOrder>;

/** A merchant with a balance, as an admin would create and fund it; `headers` authenticate its requests. */
export async function createTestMerchant(
  db: Db,
  {
    balanceFen = 1_000_000_000,
    rates = { CMCC: '1', CUCC: '1', CTCC: '1' },
  }: { balanceFen?: number; rates?: MerchantRates } = {},
) {
  const id = randomUUID();
  const apiKey = newApiKey();
  const callbackSecret = newCallbackSecret();
  await createMerchantRepository(db).create({
    id,
    name: `test merchant ${id.slice(0, 8)}`,
    apiKeyHash: hashApiKey(apiKey),
    callbackSecret,
    rates,
  });
  if (balanceFen > 0) {
    await createLedgerRepository(db).postAdminEntry({
      merchantId: id,
      type: 'TOP_UP',
      amountFen: balanceFen,
      requestId: 'opening',
      operator: 'test',
      note: 'opening balance',
    });
  }
  return { id, apiKey, callbackSecret, headers: { authorization: `Bearer ${apiKey}` } };
}

export type TestMerchant = Awaited<ReturnType<typeof createTestMerchant>>;

/** An operator with a token of their own, as `npm run admin -- operators add` makes one; `headers` act as them. */
export async function createTestOperator(db: Db, name: string, role: OperatorRole) {
  const token = newOperatorToken();
  await createOperatorRepository(db).add({ name, role, tokenHash: hashToken(token) });
  return { name, token, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } };
}

/** Stores an order as the API would (debit included) without starting its workflow, e.g. to play a lost start. */
export async function insertOrder(orders: OrderRepository, merchantId: string, fields: Partial<NewOrder> = {}) {
  const result = await orders.createOrder({
    merchantId,
    merchantOrderNo: `M-${randomUUID()}`,
    ...FIXTURE_ORDER,
    ...fields,
  });
  if (result.outcome !== 'created') throw new Error(`order not created: ${result.outcome}`);
  return result.order;
}

/** Serves a Hono app on a free loopback port. */
export async function listen(app: Pick<Hono, 'fetch'>) {
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The whole order path for real: Temporal dev server (the CLI binary), the
 * carrier simulator over HTTP, PostgreSQL, a worker and the API over HTTP.
 */
export async function startStack({
  carrierTimeoutMs = 2_000,
  slaSeconds = 180,
  slowSlaSeconds = 86_400,
  alertWebhookUrl = undefined as string | undefined,
  /** Extra `temporal server start-dev` flags, e.g. dynamic config. */
  devServerArgs = [] as string[],
  /** The PostgreSQL server of the stack's database (default: the tests' shared one). */
  databaseServerUrl = testDatabaseUrl(),
} = {}) {
  const database = await createTestDatabase(databaseServerUrl);
  // The worker's pool and the API's, each with its production timeouts.
  const prisma = createPrisma(database.url, 10, WORKER_DATABASE_TIMEOUTS);
  const apiPrisma = createPrisma(database.url, 10, API_DATABASE_TIMEOUTS);
  const repositoriesOf = (db: Db) => ({
    orders: createOrderRepository(db),
    merchants: createMerchantRepository(db),
    ledger: createLedgerRepository(db),
    reconciliations: createReconciliationRepository(db),
  });
  const repositories = repositoriesOf(prisma);
  const apiRepositories = repositoriesOf(apiPrisma);
  const { orders } = repositories;
  const databaseStalls = watchDatabaseStalls(sqlPool(apiPrisma));
  const merchant = await createTestMerchant(prisma);
  const env = await TestWorkflowEnvironment.createLocal({
    client: { dataConverter: testDataConverter },
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      ip: '127.0.0.1',
      searchAttributes: ORDER_SEARCH_ATTRIBUTES,
      extraArgs: devServerArgs,
    },
  });
  const simulator = createCarrierSimulator(CALLBACK_SECRET, HEALTHY_CARRIER);
  const carrier = await listen(simulator.app);
  const codecServer = await listen(
    createCodecServerApp({
      codec: new AesGcmPayloadCodec(parseCodecKeys(TEST_CODEC_KEYS_ENV)),
      token: TEST_CODEC_SERVER_TOKEN,
      uiOrigins: [],
    }),
  );
  const logger = createLogger('api-test', 'warn');
  /** The API's dependencies: the real services over this stack's repositories and Temporal. */
  // Every API of the stack reads the suppliers' offers as a real one does: at most a second old.
  const offers = createSupplierSnapshot(createSupplierRepository(apiPrisma));
  const apiDepsWith = (options: { slaSeconds?: number; logger?: Logger } = {}): ApiDeps => {
    const log = options.logger ?? logger;
    return {
      ...createServices({
        ...apiRepositories,
        temporal: env.client,
        logger: log,
        slaSeconds: options.slaSeconds ?? slaSeconds,
        slowSlaSeconds,
        segments: segmentTable(),
        offers,
        firstRoute: createFirstRouter({ suppliers: offers, breaker: TEST_BREAKER }),
        merchantLowBalanceAlert: createMerchantLowBalanceAlert({ logger: log, alertWebhookUrl }),
      }),
      risk: createRiskRepository(apiPrisma),
      statements: createStatementService({ statements: createStatementRepository(apiPrisma) }),
      merchants: apiRepositories.merchants,
      ledger: apiRepositories.ledger,
      suppliers: createSupplierRepository(apiPrisma),
      supplierLedger: createSupplierLedgerRepository(apiPrisma),
      supplierBills: createSupplierBillService({
        bills: createSupplierBillRepository(apiPrisma),
        suppliers: createSupplierRepository(apiPrisma),
      }),
      logger: log,
      callbackSecret: CALLBACK_SECRET,
      operators: createOperatorRepository(apiPrisma),
      adminBootstrapToken: ADMIN_TOKEN,
      metrics: createHttpMetrics({ openWork: openWorkOf(apiRepositories.orders, apiRepositories.merchants) }),
      rateLimits: createRateLimits({ merchantPerSecond: 100_000, failedKeysPerMinute: 100_000 }),
      databaseStalls,
      readiness: databaseAndTemporalReadiness({ db: apiPrisma, temporal: env.client }),
    };
  };
  const apiDeps = apiDepsWith();
  const apiWithSla = (sla: number) => listen(createApp(apiDepsWith({ slaSeconds: sla })));
  const api = await apiWithSla(slaSeconds);
  const extraApis: Awaited<ReturnType<typeof listen>>[] = [];
  await ensureSimulatedSuppliers(prisma, [
    { id: TEST_SUPPLIER_ID, baseUrl: carrier.url, callbackSecret: CALLBACK_SECRET, priority: 1 },
  ]);
  const workerDeps: WorkerDeps = {
    ...createWorkerDeps(prisma, {
      carrierBaseUrl: carrier.url,
      carrierTimeoutMs,
      publicBaseUrl: api.url,
      alertWebhookUrl,
      breaker: TEST_BREAKER,
    }),
    ...repositories,
  };
  let worker = await createOrderWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    deps: workerDeps,
    dataConverter: testDataConverter,
    version: TEST_VERSION,
  });
  let running = worker.run();
  const supplierWorkers = await startSupplierWorkers({
    connection: env.nativeConnection,
    namespace: 'default',
    deps: workerDeps,
    syncEveryMs: 500,
    dataConverter: testDataConverter,
    version: TEST_VERSION,
  });
  await makeCurrent(env.client.workflowService, 'default', TEST_VERSION);

  return {
    apiUrl: api.url,
    /** What the API at `apiUrl` runs on: `createApp(stack.apiDeps)` is the same API in-process, for many quick requests. */
    apiDeps,
    /** The same API's dependencies with another SLA or logger. */
    apiDepsWith,
    env,
    prisma,
    ...repositories,
    /** A funded merchant (10,000,000 yuan at rate 1) for tests that do not care which merchant orders. */
    merchant,
    simulator,
    logger,
    slaSeconds,
    workerDeps,
    /** Connection details, for a worker in another process. */
    databaseUrl: database.url,
    carrierUrl: carrier.url,
    /** The codec server of the stack's payloads (TEST_CODEC_SERVER_TOKEN). */
    codecUrl: codecServer.url,
    workerState: () => worker.getState(),
    /** The order's workflow, once the dispatcher has started it: the API answers from the database commit, before the start. */
    async workflowOf(orderId: string) {
      await eventually(async () => ((await orders.findById(orderId))?.workflowStartedAt ? true : undefined));
      return env.client.workflow.getHandle<typeof rechargeOrder>(orderWorkflowId(orderId));
    },
    async stopWorker() {
      worker.shutdown();
      await running;
    },
    /** Starts the in-process worker again, on the real dependencies (`workerDeps`) or others, e.g. activities that fail on purpose. */
    async startWorker(deps: WorkerDeps = workerDeps) {
      worker = await createOrderWorker({
        connection: env.nativeConnection,
        namespace: 'default',
        deps,
        dataConverter: testDataConverter,
        version: TEST_VERSION,
      });
      running = worker.run();
    },
    /** Another API on the same stack whose orders get a different SLA (e.g. seconds, to see escalation). */
    async startApiWithSla(sla: number): Promise<string> {
      const extra = await apiWithSla(sla);
      extraApis.push(extra);
      return extra.url;
    },
    supplierWorkers,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await supplierWorkers.shutdown();
      simulator.stop();
      await api.close();
      await Promise.all(extraApis.map((extra) => extra.close()));
      await carrier.close();
      await codecServer.close();
      await env.teardown();
      await apiPrisma.$disconnect();
      await prisma.$disconnect();
      await database.drop();
    },
  };
}

export type Stack = Awaited<ReturnType<typeof startStack>>;

/** Waits for an eventually consistent condition (e.g. Temporal visibility), failing after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
