import type pg from 'pg';

/** A connection held this long means the database has stopped answering (the API's statements take milliseconds). */
const STALLED_AFTER_MS = 1_000;

/**
 * Watches a pool's connections as they are taken and given back: the
 * database is stalled when a connection has been out longer than a
 * statement ever takes, or callers queue for one. The API then answers in
 * time, naming the database, instead of waiting on a server that does not
 * answer (frozen, cut off).
 */
export function watchDatabaseStalls(pool: pg.Pool, now: () => number = Date.now) {
  const takenAt = new Map<pg.PoolClient, number>();
  pool.on('acquire', (client) => takenAt.set(client, now()));
  pool.on('release', (_error, client) => takenAt.delete(client));
  pool.on('remove', (client) => takenAt.delete(client));
  return {
    stalled(): boolean {
      if (pool.waitingCount > 0) return true;
      const oldest = Math.min(...takenAt.values());
      return now() - oldest > STALLED_AFTER_MS;
    },
  };
}

export type DatabaseStalls = ReturnType<typeof watchDatabaseStalls>;
