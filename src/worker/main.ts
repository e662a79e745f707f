import { existsSync } from 'node:fs';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfigOrRefuse, refuseToStart, requireDatabaseInProduction } from '../startup.ts';
import { WORKER_DATABASE_TIMEOUTS, createPrisma } from '../db/prisma.ts';
import { freePort } from '../util/free-port.ts';
import { databaseAndTemporalReadiness } from '../observability/readiness.ts';
import { createTemporalClient } from '../temporal/connection.ts';
import { temporalSecurity } from '../temporal/connection-security.ts';
import { dataConverterFor } from '../temporal/data-converter.ts';
import { ensureReconciliationSchedule } from '../temporal/reconciliation-schedule.ts';
import { ensureSupplierBillSchedule } from '../temporal/supplier-bill-schedule.ts';
import { ensureStatementSchedule } from '../temporal/statement-schedule.ts';
import { createWorkerDeps } from './activity-deps.ts';
import { PREBUILT_BUNDLE_PATH, createOrderWorker } from './create-worker.ts';
import { startOpsServer } from './ops-server.ts';
import { startSupplierWorkers } from './supplier-workers.ts';
import { currentBuildId } from '../util/build-id.ts';

/** `host:port` (WORKER_METRICS_ADDRESS) as the HTTP server takes it. */
function hostAndPort(address: string) {
  const at = address.lastIndexOf(':');
  return { hostname: address.slice(0, at), port: Number(address.slice(at + 1)) };
}

const config = loadConfigOrRefuse('Worker');
if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS)
  refuseToStart('Worker', 'DATABASE_URL and TEMPORAL_ADDRESS must be set (npm start sets both)');

// Every worker of this process is this version of the deployment; an order stays on the version that started it.
const version = { deploymentName: config.WORKER_DEPLOYMENT_NAME, buildId: currentBuildId(config.BUILD_ID) };
console.log(`Worker build ${version.buildId} of deployment ${version.deploymentName}`);

// The SDK's Prometheus exporter on an internal port; the operations port serves its text with the probes.
const sdkMetricsAddress = config.WORKER_METRICS_ADDRESS && `127.0.0.1:${await freePort()}`;
if (sdkMetricsAddress)
  Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress: sdkMetricsAddress } } } });
const prisma = createPrisma(config.DATABASE_URL, 10, WORKER_DATABASE_TIMEOUTS);
await requireDatabaseInProduction('Worker', config, config.DATABASE_URL, () => prisma.$queryRaw`SELECT 1`);
const dataConverter = dataConverterFor(config.payloadCodecKeys);
const security = temporalSecurity(config);
const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS, ...security }).catch(
  (error: Error) =>
    refuseToStart(
      'Worker',
      `cannot reach Temporal at ${config.TEMPORAL_ADDRESS} (${error.message.split('\n')[0]}); check TEMPORAL_ADDRESS and its TLS settings`,
    ),
);
const opsServer =
  config.WORKER_METRICS_ADDRESS && sdkMetricsAddress
    ? startOpsServer({
        ...hostAndPort(config.WORKER_METRICS_ADDRESS),
        sdkMetricsUrl: `http://${sdkMetricsAddress}/metrics`,
        readiness: databaseAndTemporalReadiness({ db: prisma, temporal: connection, build: version }),
        build: version,
      })
    : undefined;
const client = await createTemporalClient(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE, dataConverter, security);
await ensureReconciliationSchedule(client, config.SLA_SECONDS);
await ensureSupplierBillSchedule(client);
await ensureStatementSchedule(client);
await client.connection.close();
const deps = createWorkerDeps(prisma, {
  carrierBaseUrl: config.CARRIER_BASE_URL,
  carrierTimeoutMs: config.CARRIER_TIMEOUT_MS,
  publicBaseUrl: config.publicBaseUrl,
  alertWebhookUrl: config.ALERT_WEBHOOK_URL,
  breaker: config.breaker,
});
// Compiled (`npm run build`), the worker loads the prebuilt workflow bundle; from the sources, it bundles at start.
const prebuilt = existsSync(PREBUILT_BUNDLE_PATH);
if (prebuilt) console.log(`Using the prebuilt workflow bundle ${PREBUILT_BUNDLE_PATH}`);
const worker = await createOrderWorker({
  connection,
  namespace: config.TEMPORAL_NAMESPACE,
  deps,
  dataConverter,
  version,
  ...(prebuilt && { workflowBundle: { codePath: PREBUILT_BUNDLE_PATH } }),
});
const supplierWorkers = await startSupplierWorkers({
  connection,
  namespace: config.TEMPORAL_NAMESPACE,
  deps,
  dataConverter,
  version,
  onError: (error) => console.error('supplier workers: tried again at the next sync after', error),
});
// Worker.run() shuts down gracefully on SIGINT/SIGTERM: in-flight tasks finish first.
await worker.run();
await supplierWorkers.shutdown();
opsServer?.close();
await connection.close();
await prisma.$disconnect();
