import pg from 'pg';

/** How long the probe may take: a healthy server answers a new connection and `SELECT 1` in milliseconds. */
const PROBE_TIMEOUT_MS = 500;
/** A probe's answer holds this long: requests that reach their deadline together share one. */
const PROBE_FRESH_MS = 1_000;

/** Connects on a connection of its own (a stalled server holds the pool's) and runs `SELECT 1`; rejects if it cannot. */
async function probeDatabase(connectionString: string | undefined): Promise<void> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  client.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
  });
  try {
    await Promise.race([client.connect().then(() => client.query('SELECT 1')), late]);
  } finally {
    clearTimeout(timer);
    // Not awaited: on a frozen server the goodbye itself waits for the thaw.
    void client.end().catch(() => undefined);
  }
}

/**
 * Whether the database has stopped answering, asked when a request has
 * waited long (database-deadline.ts). Nothing taken from the pool and
 * nobody waiting for it: no. Otherwise a probe decides: a connection of its
 * own and `SELECT 1` within 500 ms, or the database is stalled (frozen, cut
 * off). A slow statement on a healthy server (a large report) is no stall.
 */
export function watchDatabaseStalls(
  pool: pg.Pool,
  probe: () => Promise<void> = () => probeDatabase(pool.options.connectionString),
  now: () => number = Date.now,
) {
  let last: { at: number; stalled: boolean } | undefined;
  let probing: Promise<boolean> | undefined;
  const askServer = () =>
    probe().then(
      () => false,
      () => true,
    );
  return {
    async stalled(): Promise<boolean> {
      if (pool.totalCount === pool.idleCount && pool.waitingCount === 0) return false;
      if (last && now() - last.at < PROBE_FRESH_MS) return last.stalled;
      probing ??= askServer().then((stalled) => {
        last = { at: now(), stalled };
        probing = undefined;
        return stalled;
      });
      return probing;
    },
  };
}

export type DatabaseStalls = ReturnType<typeof watchDatabaseStalls>;
