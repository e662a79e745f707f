import { createStatementRepository } from '../../src/db/statement-repository.ts';
import { createStatementService } from '../../src/statements/statement-service.ts';
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { setTimeout } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.ts';
import { createCarrierSimulator } from '../../src/carrier-sim/simulator.ts';
import { createJobLeaseRepository } from '../../src/db/job-lease-repository.ts';
import { createLedgerRepository } from '../../src/db/ledger-repository.ts';
import { createMerchantRepository } from '../../src/db/merchant-repository.ts';
import { createOrderRepository } from '../../src/db/order-repository.ts';
import { watchDatabaseStalls } from '../../src/db/database-stalls.ts';
import { createOperatorRepository } from '../../src/db/operator-repository.ts';
import { createPrisma, sqlPool, type Db } from '../../src/db/prisma.ts';
import { createReconciliationRepository } from '../../src/db/reconciliation-repository.ts';
import type { TemporaryDatabase } from '../../src/dev/temporary-database.ts';
import { freePort } from '../../src/util/free-port.ts';
import { waitUntilHealthy } from '../../src/dev/wait.ts';
import { spawnTemporalDevServer, untilServing, type DevServer } from '../../src/dev/temporal-dev-server.ts';
import { scheduleDispatchDrains } from '../../src/orders/order-dispatcher.ts';
import { createServices } from '../../src/orders/services.ts';
import { createRateLimits } from '../../src/api/rate-limits.ts';
import { createHttpMetrics } from '../../src/observability/http-metrics.ts';
import { databaseAndTemporalReadiness } from '../../src/observability/readiness.ts';
import { createTemporalClient } from '../../src/temporal/connection.ts';
import { createLogger } from '../../src/util/logger.ts';
import { createSupplierLedgerRepository } from '../../src/db/supplier-ledger-repository.ts';
import { createSupplierBillRepository } from '../../src/db/supplier-bill-repository.ts';
import { createSupplierBillService } from '../../src/supplier-bills/bill-service.ts';
import { createSupplierSnapshot } from '../../src/suppliers/supplier-snapshot.ts';
import { segmentTable } from '../../src/numbers/segments.ts';
import { createRiskRepository } from '../../src/db/risk-repository.ts';
import { createSupplierRepository } from '../../src/db/supplier-repository.ts';
import { ensureSimulatedSuppliers } from '../../src/suppliers/simulated-suppliers.ts';
import { createWorkerDeps } from '../../src/worker/activity-deps.ts';
import { createOrderWorker } from '../../src/worker/create-worker.ts';
import { startSupplierWorkers } from '../../src/worker/supplier-workers.ts';
import { untypedJson } from '../untyped-json.ts';
import {
  ADMIN_TOKEN,
  CALLBACK_SECRET,
  HEALTHY_CARRIER,
  TEST_BREAKER,
  TEST_SUPPLIER_ID,
  TEST_VERSION,
  createTestDatabase,
  createTestMerchant,
  eventually,
  listen,
  type TestMerchant,
} from './harness.ts';
import { makeCurrent } from '../../src/temporal/worker-deployment.ts';

/** Orders submitted while the Temporal server is down, one every 200 ms: the outage lasts about 4 s. */
const DURING_OUTAGE = 20;
const PACE_MS = 200;

// A dev server of its own, persisted in SQLite, so that it can be killed and started again on the same state.
const dataDir = mkdtempSync(join(tmpdir(), 'temporal-outage-'));
let devServer: DevServer;
let startDevServer: () => Promise<void>;
let database: TemporaryDatabase;
let prisma: Db;
let merchant: TestMerchant;
let apiUrl: string;
const cleanups: (() => unknown)[] = [];

beforeAll(async () => {
  const [port, uiPort] = [await freePort(), await freePort()];
  const output = openSync(join(dataDir, 'server.log'), 'a');
  startDevServer = async () => {
    devServer = spawnTemporalDevServer({ dataDir, port, uiPort, output });
    await untilServing(devServer);
  };
  await startDevServer();
  database = await createTestDatabase();
  prisma = createPrisma(database.url);
  const repositories = {
    orders: createOrderRepository(prisma),
    merchants: createMerchantRepository(prisma),
    ledger: createLedgerRepository(prisma),
  };
  merchant = await createTestMerchant(prisma);
  const logger = createLogger('outage-test', 'error');
  const temporal = await createTemporalClient(devServer.address, 'default');
  const services = createServices({
    ...repositories,
    reconciliations: createReconciliationRepository(prisma),
    temporal,
    logger,
    slaSeconds: 180,
    slowSlaSeconds: 86_400,
    segments: segmentTable(),
    offers: createSupplierSnapshot(createSupplierRepository(prisma)),
  });
  const suppliers = {
    risk: createRiskRepository(prisma),
    statements: createStatementService({ statements: createStatementRepository(prisma) }),
    suppliers: createSupplierRepository(prisma),
    supplierLedger: createSupplierLedgerRepository(prisma),
    supplierBills: createSupplierBillService({
      bills: createSupplierBillRepository(prisma),
      suppliers: createSupplierRepository(prisma),
    }),
  };
  const observability = {
    metrics: createHttpMetrics(),
    rateLimits: createRateLimits({ merchantPerSecond: 100_000, failedKeysPerMinute: 100_000 }),
    databaseStalls: watchDatabaseStalls(sqlPool(prisma)),
    readiness: databaseAndTemporalReadiness({ db: prisma, temporal }),
  };
  const api = await listen(
    createApp({
      ...services,
      ...repositories,
      ...suppliers,
      ...observability,
      logger,
      callbackSecret: CALLBACK_SECRET,
      operators: createOperatorRepository(prisma),
      adminBootstrapToken: ADMIN_TOKEN,
    }),
  );
  apiUrl = api.url;
  const stopDrains = scheduleDispatchDrains(
    {
      dispatcher: services.orderDispatcher,
      leases: createJobLeaseRepository(prisma),
      instanceId: 'outage-test',
      logger,
    },
    { everyMs: 250, graceMs: 500, batchSize: 100 },
  );
  const simulator = createCarrierSimulator(CALLBACK_SECRET, HEALTHY_CARRIER);
  const carrier = await listen(simulator.app);
  await ensureSimulatedSuppliers(prisma, [
    { id: TEST_SUPPLIER_ID, baseUrl: carrier.url, callbackSecret: CALLBACK_SECRET, priority: 1 },
  ]);
  const connection = await NativeConnection.connect({ address: devServer.address });
  const deps = createWorkerDeps(prisma, {
    carrierBaseUrl: carrier.url,
    carrierTimeoutMs: 2_000,
    publicBaseUrl: api.url,
    breaker: TEST_BREAKER,
  });
  const worker = await createOrderWorker({ connection, namespace: 'default', deps, version: TEST_VERSION });
  const running = worker.run();
  const supplierWorkers = await startSupplierWorkers({ connection, namespace: 'default', deps, version: TEST_VERSION });
  await makeCurrent(temporal.workflowService, 'default', TEST_VERSION);
  cleanups.push(
    stopDrains,
    () => simulator.stop(),
    () => carrier.close(),
    () => api.close(),
    () => services.orderDispatcher.idle(),
    async () => {
      worker.shutdown();
      await running;
      await supplierWorkers.shutdown();
    },
    () => connection.close(),
    () => temporal.connection.close(),
    () => prisma.$disconnect(),
    () => database.drop(),
    () => devServer.process.kill('SIGTERM'),
    () => rmSync(dataDir, { recursive: true, force: true }),
  );
});

afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

async function submit(n: number) {
  const began = performance.now();
  const response = await fetch(`${apiUrl}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...merchant.headers },
    body: JSON.stringify({ merchantOrderNo: `OUTAGE-${n}`, phone: '13812345678', amount: 10 }),
  });
  return { status: response.status, ms: performance.now() - began, order: await untypedJson(response) };
}

const viewOf = async (orderId: string) => prisma.order.findUniqueOrThrow({ where: { id: orderId } });

describe('while the Temporal server is away', () => {
  it(
    'answers every submission 202 from the database commit, shows the orders PENDING, and starts them within seconds of its return',
    { timeout: 180_000 },
    async () => {
      devServer.process.kill('SIGKILL');
      await new Promise((resolve) => devServer.process.once('exit', resolve));

      const answers = [];
      for (let n = 0; n < DURING_OUTAGE; n++) {
        answers.push(await submit(n));
        await setTimeout(PACE_MS); // the merchants' pace: the outage spans the submissions
      }
      expect(answers.map((a) => a.status)).toEqual(Array(DURING_OUTAGE).fill(202));
      // The answer waits on PostgreSQL only (a Temporal start would hang for seconds).
      expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(1_000);
      const ids: string[] = answers.map((a) => a.order.orderId);
      for (const id of ids) expect(await viewOf(id)).toMatchObject({ status: 'PENDING', workflowStartedAt: null });

      await startDevServer();
      const back = Date.now();
      const started = await eventually(async () => {
        const rows = await Promise.all(ids.map(viewOf));
        return rows.every((row) => row.workflowStartedAt) ? rows : undefined;
      }, 30_000);
      const lastStartMs = Math.max(...started.map((row) => (row.workflowStartedAt as Date).getTime())) - back;
      expect(lastStartMs).toBeLessThan(5_000);
      await eventually(
        async () =>
          (await Promise.all(ids.map(viewOf))).every((row) => row.status === 'SUCCEEDED') ? true : undefined,
        // The workers' polls come back on their own backoff after the server's return: about a minute here.
        120_000,
      );
    },
  );

  it(
    'lets an API process start and accept orders while no Temporal server answers at all',
    { timeout: 60_000 },
    async () => {
      const port = await freePort();
      const api = spawn(process.execPath, ['--import', 'tsx', 'src/api/main.ts'], {
        env: {
          ...process.env,
          PORT: String(port),
          DATABASE_URL: database.url,
          TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
          LOG_LEVEL: 'error',
        },
        stdio: 'ignore',
      });
      const exited = new Promise((resolve) => api.once('exit', resolve));
      try {
        await waitUntilHealthy(`http://127.0.0.1:${port}/healthz`, 20_000);
        const response = await fetch(`http://127.0.0.1:${port}/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...merchant.headers },
          body: JSON.stringify({ merchantOrderNo: 'NO-TEMPORAL-1', phone: '13812345678', amount: 10 }),
        });
        expect(response.status).toBe(202);
        const { orderId } = await untypedJson(response);
        expect(await viewOf(orderId)).toMatchObject({ status: 'PENDING', workflowStartedAt: null });
      } finally {
        api.kill('SIGKILL');
        await exited;
      }
    },
  );
});
