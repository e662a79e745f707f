import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.ts';

export type Db = PrismaClient;

/** The pg pool under each client made here, for the hot statements worth a prepared statement of their own. */
const pools = new WeakMap<Db, pg.Pool>();

/**
 * How long a caller waits for a connection (a new one, or a free one of the
 * pool's) before it gives up; undefined: as long as it takes. There is no
 * client-side limit on a statement: pg's `query_timeout` gives up on the
 * answer but keeps the connection, which then goes back to the pool still
 * inside its transaction, and the next caller's writes land in that
 * transaction. A statement waits for the server; the API answers in time
 * without it (database-deadline.ts).
 */
export interface DatabaseTimeouts {
  connectMs?: number;
}

/** The API answers every request within 3 s, the database away or not: it waits little for a connection. */
export const API_DATABASE_TIMEOUTS: DatabaseTimeouts = { connectMs: 1_500 };
/** Workers wait longer (their activities have their own timeouts and retries), but never forever. */
export const WORKER_DATABASE_TIMEOUTS: DatabaseTimeouts = { connectMs: 10_000 };

/**
 * A Prisma client over a pg pool of `maxConnections`, which the client ends
 * when it disconnects. The pool itself serves `sqlPool`: merchants' polls run
 * one prepared statement on it, without Prisma's query layer.
 */
export function createPrisma(databaseUrl: string, maxConnections = 10, { connectMs }: DatabaseTimeouts = {}): Db {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: maxConnections,
    ...(connectMs !== undefined && { connectionTimeoutMillis: connectMs }),
  });
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

/** Statement names by call site: a template's strings are one object per call site. */
const statementNames = new WeakMap<TemplateStringsArray, string>();
let nextStatement = 0;

/**
 * A tagged-template statement (`${value}` as parameters, as in Prisma's
 * `$queryRaw`) run on the pool as a named prepared statement: parsed and
 * planned once per connection, without Prisma's query layer. For the
 * statements every order runs. pg answers int8 columns as strings: cast in
 * the SQL or convert them.
 */
export function preparedSql(db: Db) {
  const pool = sqlPool(db);
  return async <T extends pg.QueryResultRow>(strings: TemplateStringsArray, ...values: unknown[]): Promise<T[]> => {
    let name = statementNames.get(strings);
    if (name === undefined) {
      name = `recharge-${(nextStatement++).toString(36)}`;
      statementNames.set(strings, name);
    }
    const text = strings.reduce((sql, part, i) => `${sql}$${i}${part}`);
    const { rows } = await pool.query<T>({ name, text, values });
    return rows;
  };
}

export type PreparedSql = ReturnType<typeof preparedSql>;
