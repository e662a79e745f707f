/**
 * Development start-up: everything a new user needs, in one command. Starts
 * the Temporal dev server (unless TEMPORAL_ADDRESS is set) and an embedded
 * PostgreSQL (unless DATABASE_URL is set), applies migrations, then runs the
 * carrier simulator, the worker and the API as child processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { loadConfig } from '../config.ts';
import { startEmbeddedPostgres } from '../db/embedded.ts';
import { applyMigrations } from '../db/migrate.ts';
import { startTemporalDevServer } from './temporal-dev-server.ts';

const config = loadConfig();
const dataDir = resolve(config.DATA_DIR);
const stoppers: (() => Promise<void> | void)[] = [];

let temporalAddress = config.TEMPORAL_ADDRESS;
let uiUrl = 'your Temporal cluster\'s Web UI';
if (!temporalAddress) {
  const server = await startTemporalDevServer(dataDir);
  stoppers.push(() => void server.process.kill('SIGTERM'));
  temporalAddress = server.address;
  uiUrl = server.uiUrl;
}

let databaseUrl = config.DATABASE_URL;
if (!databaseUrl) {
  const db = await startEmbeddedPostgres(dataDir, Number(process.env.EMBEDDED_PG_PORT ?? 54329));
  stoppers.push(() => db.stop());
  databaseUrl = db.url;
}
const applied = await applyMigrations(databaseUrl);
if (applied.length > 0) console.log(`Applied migrations: ${applied.join(', ')}`);

const env = { ...process.env, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporalAddress };
const children: ChildProcess[] = ['src/carrier-sim/main.ts', 'src/worker/main.ts', 'src/api/main.ts'].map((entry) =>
  spawn(process.execPath, ['--import', 'tsx', entry], { env, stdio: 'inherit' }),
);

console.log(`
  Recharge platform is up
  API:            http://127.0.0.1:${config.PORT}
  Temporal UI:    ${uiUrl}
  Temporal gRPC:  ${temporalAddress}
  Carrier (sim):  ${config.CARRIER_BASE_URL}
  Database:       ${databaseUrl.replace(/\/\/[^@]*@/, '//***@')}
  Ctrl-C stops everything.
`);

let stopping = false;
async function stopAll(code: number) {
  if (stopping) return;
  stopping = true;
  await Promise.all(children.map((child) => new Promise((done) => (child.exitCode !== null ? done(null) : (child.once('exit', done), child.kill('SIGTERM'))))));
  for (const stop of stoppers.reverse()) await stop();
  process.exit(code);
}
for (const child of children) child.once('exit', (code) => void stopAll(code ?? 1));
process.once('SIGINT', () => void stopAll(0));
process.once('SIGTERM', () => void stopAll(0));
