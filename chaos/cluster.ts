import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/dev/embedded-postgres.ts';
import { applyMigrations } from '../src/db/migrate.ts';
import { createPrisma } from '../src/db/prisma.ts';
import { freePort } from '../src/util/free-port.ts';
import { spawnTemporalDevServer, untilServing } from '../src/dev/temporal-dev-server.ts';
import { waitUntilHealthy } from '../src/dev/wait.ts';
import { ensureSimulatedSuppliers } from '../src/suppliers/simulated-suppliers.ts';
import { createTemporalClient } from '../src/temporal/connection.ts';
import { createDataConverter } from '../src/temporal/data-converter.ts';
import { newCodecKeyEntry, parseCodecKeys } from '../src/temporal/payload-codec.ts';
import { makeCurrent } from '../src/temporal/worker-deployment.ts';
import { currentBuildId } from '../src/util/build-id.ts';
import type { Cleanups } from '../bench/cleanups.ts';
import { managedProcess, type ManagedProcess, type ProcessLauncher, type UnexpectedExit } from './managed-process.ts';
import { startSimulatedSuppliers, type SimulatedSupplier } from './suppliers.ts';

export const REPLICAS = 2;
export type { SimulatedSupplier };

/** Secrets of this run only (random, so the log scan can look for them, and production mode accepts them). */
export interface RunSecrets {
  callbackSecret: string;
  adminToken: string;
  /** PAYLOAD_CODEC_KEYS of every process (one key). */
  payloadCodecKeys: string;
}

export interface Cluster {
  secrets: RunSecrets;
  database: EmbeddedDatabase;
  /** The harness's own connections, for the checks (they survive a database restart). */
  db: pg.Pool;
  temporal: ManagedProcess;
  /** A client of the harness's own, for the checks; it reconnects after a server restart. */
  client: Client;
  /** sim-a (tried first, reached by the workers through the harness's TCP proxy), then sim-b. */
  suppliers: SimulatedSupplier[];
  workers: ManagedProcess[];
  apis: ManagedProcess[];
  apiUrls: string[];
  unexpectedExits: UnexpectedExit[];
}

export interface ClusterOptions {
  workDir: string;
  logDir: string;
  cleanups: Cleanups;
  slaSeconds: number;
  /** CARRIER_SIM_* settings for the whole run (callback loss and duplication, refusals ...), per supplier. */
  carrierBehaviour: (supplierId: string) => Record<string, string>;
}

/** Starts and stops the run's processes, each logging to `<logDir>/<name>.log`; every exit nobody asked for is recorded. */
function processFactory(logDir: string, cleanups: Cleanups) {
  const unexpectedExits: UnexpectedExit[] = [];
  const onUnexpectedExit = (exit: UnexpectedExit) => {
    unexpectedExits.push(exit);
    console.log(`!! ${exit.name} exited by itself (${exit.code ?? exit.signal}); restarting it`);
  };
  const logFile = (name: string) => openSync(join(logDir, `${name}.log`), 'a');
  const managed = (name: string, launcher: (output: number) => ProcessLauncher) => {
    const process = managedProcess(name, launcher(logFile(name)), onUnexpectedExit);
    cleanups.add(process.stop);
    return process;
  };
  const node = (name: string, entry: string, env: Record<string, string>, ready: () => Promise<void>) =>
    managed(name, (output) => ({
      spawn: () =>
        spawn(process.execPath, ['--import', 'tsx', entry], {
          env: { ...process.env, ...env },
          stdio: ['ignore', output, output],
        }),
      ready,
    }));
  return { unexpectedExits, managed, node };
}

/**
 * The system as separate processes, as it is deployed: PostgreSQL (embedded,
 * restartable), a Temporal dev server persisted in SQLite (restarted on the
 * same file), two simulated suppliers, two workers and two API replicas, all
 * in production mode with this run's own secrets.
 */
export async function startCluster({
  workDir,
  logDir,
  cleanups,
  slaSeconds,
  carrierBehaviour,
}: ClusterOptions): Promise<Cluster> {
  const secrets: RunSecrets = {
    callbackSecret: randomBytes(24).toString('hex'),
    adminToken: randomBytes(24).toString('hex'),
    payloadCodecKeys: newCodecKeyEntry('chaos-1'),
  };
  const processes = processFactory(logDir, cleanups);

  const { database, db, adminAccess } = await startDatabase(workDir, cleanups, secrets.adminToken);
  const { temporal, temporalAddress, client } = await startTemporal(workDir, processes, cleanups, secrets);

  const suppliers = await startSimulatedSuppliers(processes.node, {
    callbackSecret: secrets.callbackSecret,
    behaviour: carrierBehaviour,
    dataDir: join(workDir, 'suppliers'),
    cleanups,
  });
  const prisma = createPrisma(database.url, 1);
  await ensureSimulatedSuppliers(
    prisma,
    suppliers.map(({ id, baseUrl }, i) => ({ id, baseUrl, callbackSecret: secrets.callbackSecret, priority: i + 1 })),
  );
  await prisma.$disconnect();

  // Both workers run this build, made current once they poll: every order of the run is pinned to it.
  const version = { deploymentName: 'recharge-orders', buildId: currentBuildId() };
  const services = await startServices(processes.node, {
    BUILD_ID: version.buildId,
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: temporalAddress,
    CARRIER_BASE_URL: suppliers[0]!.baseUrl,
    CARRIER_CALLBACK_SECRET: secrets.callbackSecret,
    ...adminAccess,
    PAYLOAD_CODEC_KEYS: secrets.payloadCodecKeys,
    SLA_SECONDS: String(slaSeconds),
  });
  await makeCurrent(client.workflowService, 'default', version);
  return {
    secrets,
    database,
    db,
    temporal,
    client,
    suppliers,
    ...services,
    unexpectedExits: processes.unexpectedExits,
  };
}

/** PostgreSQL (embedded, restartable) with the schema, the harness's admin access and a pool of its own for the checks. */
async function startDatabase(workDir: string, cleanups: Cleanups, adminToken: string) {
  const database = await startEmbeddedPostgres(workDir, await freePort());
  cleanups.add(database.stop);
  await applyMigrations(database.url);
  const adminAccess = await grantAdmin(database.url, adminToken);
  const db = new pg.Pool({ connectionString: database.url, max: 4 });
  db.on('error', () => undefined); // idle connections die with a database restart; the pool opens new ones
  cleanups.add(() => db.end());
  return { database, db, adminAccess };
}

/** The Temporal dev server, persisted in SQLite (restarted on the same file), and a client of the harness's own. */
async function startTemporal(
  workDir: string,
  processes: ReturnType<typeof processFactory>,
  cleanups: Cleanups,
  secrets: RunSecrets,
) {
  const [temporalPort, uiPort] = [await freePort(), await freePort()];
  // As `npm start` runs it (SQLITE_PRAGMAS): a killed server process loses nothing.
  const devServer = { dataDir: join(workDir, 'temporal'), port: temporalPort, uiPort };
  const temporal = processes.managed('temporal-server', (output) => {
    let server: ReturnType<typeof spawnTemporalDevServer>;
    return {
      spawn: () => (server = spawnTemporalDevServer({ ...devServer, output })).process,
      ready: () => untilServing(server),
    };
  });
  await temporal.start();
  const temporalAddress = `127.0.0.1:${temporalPort}`;
  const client = await createTemporalClient(
    temporalAddress,
    'default',
    createDataConverter(parseCodecKeys(secrets.payloadCodecKeys)),
  );
  cleanups.add(() => client.connection.close());
  return { temporal, temporalAddress, client };
}

/**
 * The harness's admin access in production mode: an operator of its own
 * (role admin, its token stored hashed, as `npm run admin -- operators add`
 * stores it) where the schema has operators; otherwise the shared
 * ADMIN_TOKEN of older versions. What the processes need set for it.
 */
async function grantAdmin(databaseUrl: string, token: string): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ exists: boolean }>(`SELECT to_regclass('operators') IS NOT NULL AS exists`);
    if (!rows[0]?.exists) return { ADMIN_TOKEN: token };
    await client.query(`INSERT INTO operators (name, role, token_hash) VALUES ('chaos-harness', 'admin', $1)`, [
      createHash('sha256').update(token).digest('hex'),
    ]);
    return {};
  } finally {
    await client.end();
  }
}

/** The API replicas and the workers. Worker i gives the carrier API i's callback address, so callbacks reach both replicas (a load balancer's job in production). */
async function startServices(node: ReturnType<typeof processFactory>['node'], env: Record<string, string>) {
  const apiPorts = await Promise.all(Array.from({ length: REPLICAS }, () => freePort()));
  const apiUrls = apiPorts.map((port) => `http://127.0.0.1:${port}`);
  const apis = apiUrls.map((url, i) =>
    node(`api-${i + 1}`, 'src/api/main.ts', { ...env, PORT: String(apiPorts[i]), PUBLIC_BASE_URL: url }, () =>
      waitUntilHealthy(`${url}/healthz`),
    ),
  );
  // Each worker's operations port (/healthz once it is past its start-up checks): a restarted worker is up only then.
  const opsPorts = await Promise.all(apiUrls.map(() => freePort()));
  const workers = apiUrls.map((url, i) => {
    const ops = `127.0.0.1:${opsPorts[i]}`;
    return node(
      `worker-${i + 1}`,
      'src/worker/main.ts',
      { ...env, PUBLIC_BASE_URL: url, WORKER_METRICS_ADDRESS: ops },
      () => waitUntilHealthy(`http://${ops}/healthz`),
    );
  });
  await Promise.all([...apis, ...workers].map((process) => process.start()));
  return { apis, apiUrls, workers };
}
