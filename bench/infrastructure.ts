import { openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import pg from 'pg';
import { startEmbeddedPostgres } from '../src/dev/embedded-postgres.ts';
import { applyMigrations } from '../src/db/migrate.ts';
import { createTemporaryDatabase } from '../src/dev/temporary-database.ts';
import { spawnTemporalDevServer, startTemporalDevServer, untilServing } from '../src/dev/temporal-dev-server.ts';
import { stopChild } from '../src/dev/stop-child.ts';
import { createTemporalClient } from '../src/temporal/connection.ts';
import { freePort, startNodeProcess, waitUntilHealthy, type ProcessOutput } from './child-processes.ts';
import type { Cleanups } from './cleanups.ts';
import { now } from './open-loop.ts';
import type { ProcessSampler } from './process-sampler.ts';

export const CALLBACK_SECRET = 'bench-carrier-callback-secret';

export interface InfrastructureOptions {
  workDir: string;
  cleanups: Cleanups;
  output: ProcessOutput;
  sampler: ProcessSampler;
  /** A PostgreSQL server to create the benchmark's database in; unset: an embedded one in workDir. */
  databaseUrl: string | undefined;
  carrierLatencyMs: number;
  /** How long after its answer the carrier calls back, drawn between min and max. */
  callbackDelayMs: { min: number; max: number };
  /** Dynamic config of the dev server, `key=value` each, e.g. system.enableActivityEagerExecution=true. */
  serverConfig: string[];
}

/** A Temporal dev server of one system's own: each starts from an empty database, so none pays for another's history. */
export interface TemporalServer {
  address: string;
  client: Client;
  /** kill -9, then a new server on the same SQLite file and port after downMs; resolves once it serves again, with when it went down and came back (ms epoch). */
  killAndRestart(downMs: number): Promise<{ downAt: number; backAt: number }>;
  stop(): Promise<void>;
}

export interface Infrastructure {
  databaseUrl: string;
  /** The harness's own connections, for reading results. */
  db: pg.Pool;
  /** sim-a: the carrier of every system. */
  carrierUrl: string;
  /** The order path's suppliers by id: sim-a (tried first) and sim-b. */
  supplierUrls: Record<string, string>;
  output: ProcessOutput;
  sampler: ProcessSampler;
  /** Starts a fresh Temporal dev server (persisted in SQLite, configured as `npm start` configures it), measured as `temporal-server`. */
  startTemporal(name: string): Promise<TemporalServer>;
  /** Registers something a system started; the function returned stops it before the end. */
  track: Cleanups['add'];
}

/**
 * What every measured system shares: PostgreSQL with the migrations applied
 * and the carrier simulator, answering at once unless told to be slow; and
 * how each gets its Temporal server.
 */
export async function startInfrastructure({
  workDir,
  cleanups,
  output,
  sampler,
  databaseUrl,
  carrierLatencyMs,
  callbackDelayMs,
  serverConfig,
}: InfrastructureOptions): Promise<Infrastructure> {
  async function startTemporal(name: string): Promise<TemporalServer> {
    const serverOptions = {
      dataDir: join(workDir, `temporal-${name}`),
      port: await freePort(),
      uiPort: await freePort(),
      extraArgs: serverConfig.flatMap((setting) => ['--dynamic-config-value', setting]),
      output: openSync(join(output.logDir, `temporal-server-${name}.log`), 'a'),
    };
    let server = await startTemporalDevServer(serverOptions);
    const stopServer = cleanups.add(async () => {
      sampler.remove('temporal-server');
      await stopChild(server.process);
    });
    const client = await createTemporalClient(server.address, 'default');
    const closeClient = cleanups.add(() => client.connection.close());
    await sampler.add({ name: 'temporal-server', pid: server.process.pid as number });
    return {
      address: server.address,
      client,
      async killAndRestart(downMs) {
        const downAt = now();
        const { process: killed } = server;
        if (killed.exitCode === null && killed.signalCode === null) {
          const exited = new Promise((resolve) => killed.once('exit', resolve));
          killed.kill('SIGKILL');
          await exited;
        }
        sampler.remove('temporal-server');
        await sleep(downMs);
        // Held before it serves, so that the cleanup stops this one even if it never comes up.
        server = spawnTemporalDevServer(serverOptions);
        await untilServing(server);
        await sampler.add({ name: 'temporal-server', pid: server.process.pid as number });
        return { downAt, backAt: now() };
      },
      async stop() {
        await closeClient();
        await stopServer();
      },
    };
  }

  let url: string;
  if (databaseUrl) {
    const database = await createTemporaryDatabase(databaseUrl, 'recharge_bench');
    cleanups.add(database.drop);
    url = database.url;
  } else {
    const embedded = await startEmbeddedPostgres(workDir, await freePort());
    cleanups.add(embedded.stop);
    url = embedded.url;
    await sampler.add({ name: 'postgres', pid: embedded.pid(), withChildren: true });
  }
  await applyMigrations(url);
  const db = new pg.Pool({ connectionString: url, max: 2 });
  cleanups.add(() => db.end());

  // Two simulated suppliers: sim-a is the carrier of every system (the order path tries it first), sim-b the order path's second.
  const supplierUrls: Record<string, string> = {};
  for (const [id, name] of [
    ['sim-a', 'carrier-sim'],
    ['sim-b', 'carrier-sim-b'],
  ] as const) {
    const port = await freePort();
    const simulator = startNodeProcess(
      name,
      'src/carrier-sim/main.ts',
      {
        CARRIER_SIM_PORT: String(port),
        CARRIER_CALLBACK_SECRET: CALLBACK_SECRET,
        CARRIER_SIM_LATENCY_MS: String(carrierLatencyMs),
        CARRIER_SIM_CALLBACK_MIN_DELAY_MS: String(callbackDelayMs.min),
        CARRIER_SIM_CALLBACK_MAX_DELAY_MS: String(callbackDelayMs.max),
        LOG_LEVEL: 'warn',
      },
      output,
    );
    cleanups.add(simulator.stop);
    supplierUrls[id] = `http://127.0.0.1:${port}`;
    await waitUntilHealthy(`${supplierUrls[id]}/_sim/stats`);
    await sampler.add({ name: simulator.name, pid: simulator.pid });
  }

  return {
    databaseUrl: url,
    db,
    carrierUrl: supplierUrls['sim-a'] as string,
    supplierUrls,
    output,
    sampler,
    startTemporal,
    track: cleanups.add,
  };
}
