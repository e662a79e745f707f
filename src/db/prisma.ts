import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.ts';

export type Db = PrismaClient;

/** The pg pool under each client made here, for the hot statements worth a prepared statement of their own. */
const pools = new WeakMap<Db, pg.Pool>();

/**
 * A Prisma client over a pg pool of `maxConnections`, which the client ends
 * when it disconnects. The pool itself serves `sqlPool`: merchants' polls run
 * one prepared statement on it, without Prisma's query layer.
 */
export function createPrisma(databaseUrl: string, maxConnections = 10): Db {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: maxConnections });
  // An idle connection's error (the server restarting) must not end the process; the next query reconnects.
  pool.on('error', () => undefined);
  const db = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  pools.set(db, pool);
  return db;
}

/** The pg pool under a client made by createPrisma. */
export function sqlPool(db: Db): pg.Pool {
  const pool = pools.get(db);
  if (!pool) throw new Error('not a client made by createPrisma');
  return pool;
}
