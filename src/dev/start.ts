/**
 * Development start-up: everything a new user needs, in one command. Starts
 * the Temporal dev server (unless TEMPORAL_ADDRESS is set) and an embedded
 * PostgreSQL (unless DATABASE_URL is set), applies migrations, then runs the
 * two carrier simulators (registered as the suppliers sim-a and sim-b), the
 * codec server, the worker and the API as child processes.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { loadConfig } from '../config.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { applyMigrations } from '../db/migrate.ts';
import { createPrisma } from '../db/prisma.ts';
import { ensureDemoMerchant } from '../merchants/demo-merchant.ts';
import { ensureSimulatedSuppliers } from '../suppliers/simulated-suppliers.ts';
import { createTemporalClient } from '../temporal/connection.ts';
import { makeCurrent } from '../temporal/worker-deployment.ts';
import { currentBuildId } from '../util/build-id.ts';
import { devCodecKeys } from './dev-codec-keys.ts';
import { stopChild } from './stop-child.ts';
import { startTemporalDevServer } from './temporal-dev-server.ts';
import { waitUntilHealthy } from './wait.ts';

const config = loadConfig();
/** The worker's metrics and probes under `npm start`, unless WORKER_METRICS_ADDRESS says otherwise. */
const DEV_WORKER_METRICS_ADDRESS = '127.0.0.1:9464';
const dataDir = resolve(config.DATA_DIR);
/** Two simulated suppliers: sim-a where CARRIER_BASE_URL points (tried first), sim-b on the next port. */
const simAPort = Number(new URL(config.CARRIER_BASE_URL).port || 4000);
const simulators = ['sim-a', 'sim-b'].map((id, i) => ({
  id,
  port: simAPort + i,
  url: `http://127.0.0.1:${simAPort + i}`,
}));
/** What has been started, stopped in reverse order. */
const started: (() => Promise<void>)[] = [];
let stopping = false;

async function stopAll(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const stop of started.reverse()) await stop().catch((error) => console.error(error));
  process.exit(exitCode);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => void stopAll(0));

try {
  const codecUrl = `http://${config.CODEC_SERVER_HOST}:${config.CODEC_SERVER_PORT}`;
  let temporalAddress = config.TEMPORAL_ADDRESS;
  let uiUrl = "your Temporal cluster's Web UI";
  if (!temporalAddress) {
    // The dev server's Web UI decodes the encrypted payloads through the codec server started below.
    const server = await startTemporalDevServer({
      dataDir,
      port: config.TEMPORAL_DEV_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      extraArgs: ['--ui-codec-endpoint', codecUrl],
    });
    started.push(() => stopChild(server.process));
    temporalAddress = server.address;
    uiUrl = server.uiUrl;
  }

  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    const db = await startEmbeddedPostgres(dataDir, config.EMBEDDED_PG_PORT);
    started.push(() => db.stop());
    databaseUrl = db.url;
  }
  const applied = await applyMigrations(databaseUrl);
  if (applied.length > 0) console.log(`Applied migrations: ${applied.join(', ')}`);
  // Only in the database this command runs itself: a merchant with a published key and free money has no place in any other.
  const demoMerchant = !config.DATABASE_URL;
  if (demoMerchant) {
    const prisma = createPrisma(databaseUrl, 1);
    await ensureDemoMerchant(prisma, {
      apiKey: config.DEMO_MERCHANT_API_KEY,
      callbackSecret: config.DEMO_MERCHANT_CALLBACK_SECRET,
    });
    await ensureSimulatedSuppliers(
      prisma,
      simulators.map(({ id, url }, i) => ({
        id,
        baseUrl: url,
        callbackSecret: config.CARRIER_CALLBACK_SECRET,
        priority: i + 1,
      })),
    );
    await prisma.$disconnect();
  }

  // This start's build: its worker is that version of the deployment, and it is made current below.
  const version = { deploymentName: config.WORKER_DEPLOYMENT_NAME, buildId: currentBuildId(config.BUILD_ID) };
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporalAddress,
    PAYLOAD_CODEC_KEYS: config.PAYLOAD_CODEC_KEYS ?? devCodecKeys(dataDir),
    BUILD_ID: version.buildId,
  };
  const workerOps = config.WORKER_METRICS_ADDRESS ?? DEV_WORKER_METRICS_ADDRESS;
  const children = [
    { entry: 'src/codec-server/main.ts', env },
    ...simulators.map(({ id, port }) => ({
      entry: 'src/carrier-sim/main.ts',
      env: { ...env, CARRIER_SIM_PORT: String(port), CARRIER_SIM_NAME: id },
    })),
    { entry: 'src/worker/main.ts', env: { ...env, WORKER_METRICS_ADDRESS: workerOps } },
    { entry: 'src/api/main.ts', env },
  ];
  for (const { entry, env: childEnv } of children) {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], { env: childEnv, stdio: 'inherit' });
    started.push(() => stopChild(child));
    child.once('exit', (code) => {
      if (!stopping) console.error(`${entry} exited (${code}); stopping everything`);
      void stopAll(code ?? 1);
    });
  }

  const apiUrl = `http://127.0.0.1:${config.PORT}`;
  await waitUntilHealthy(`${apiUrl}/healthz`);
  // The banner means ready: once the worker polls (its workflows bundled), its build takes the new orders.
  const temporal = await createTemporalClient(temporalAddress, config.TEMPORAL_NAMESPACE);
  await makeCurrent(temporal.workflowService, config.TEMPORAL_NAMESPACE, version).finally(() =>
    temporal.connection.close(),
  );
  console.log(`
  Recharge platform is up
  API:            ${apiUrl}
  Temporal UI:    ${uiUrl}
  Temporal gRPC:  ${temporalAddress}
  Worker build:   ${version.buildId} (current version of the ${version.deploymentName} deployment)
  Metrics:        API ${apiUrl}/metrics, worker http://${workerOps}/metrics   (each with /healthz and /readyz)
  Codec server:   ${codecUrl}   (payloads are encrypted; the Web UI decodes them through it, and so does the CLI:
                  temporal workflow show -w recharge-order-<orderId> --codec-endpoint ${codecUrl} --codec-auth 'Bearer <CODEC_SERVER_TOKEN>')
  Suppliers:      ${demoMerchant ? simulators.map(({ id, url }) => `${id} ${url}`).join(', ') : 'as registered (DATABASE_URL is set): add them with POST /admin/suppliers'}
  Database:       ${databaseUrl.replace(/\/\/[^@]*@/, '//***@')}
  Admin API:      Authorization: Bearer ${config.adminBootstrapToken ?? '<an operator token>'}   (development bootstrap admin; operators of your own: npm run admin -- operators add <name> --role admin)
  Demo merchant:  ${demoMerchant ? `Authorization: Bearer ${config.DEMO_MERCHANT_API_KEY}   (development key; rate 1.0, opening balance 10,000,000 yuan)` : 'none (DATABASE_URL is set): create merchants with POST /admin/merchants'}
  Ctrl-C stops everything.
`);
} catch (error) {
  console.error('Start-up failed:', error);
  await stopAll(1);
}
