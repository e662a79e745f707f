/**
 * Before any test file: the PostgreSQL server the tests create their
 * databases in. TEST_DATABASE_URL (default: the local server) when it
 * answers; otherwise an embedded PostgreSQL for this run only, as `npm start`
 * uses, so that `./scripts/test.sh` passes on a machine with no database.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../src/dev/embedded-postgres.ts';
import { freePort } from '../src/util/free-port.ts';

const DEFAULT_TEST_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  const url = process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL;
  if (await answers(url)) {
    process.env.TEST_DATABASE_URL = url;
    return undefined;
  }
  const { host } = new URL(url);
  console.info(
    `No PostgreSQL answers at ${host} (TEST_DATABASE_URL): the tests use an embedded PostgreSQL started for this run.`,
  );
  const dataDir = await mkdtemp(join(tmpdir(), 'recharge-test-postgres-'));
  const database = await startEmbeddedPostgres(dataDir, await freePort());
  // Test files run in forked processes, which inherit this environment.
  process.env.TEST_DATABASE_URL = database.url;
  return async () => {
    await database.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
