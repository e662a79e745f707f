import { ConfigError, loadConfig, type Config } from './config.ts';
import { isDatabaseUnavailable } from './db/database-unavailable.ts';

/**
 * Ends a process that must not start, with one line on stderr: the reason
 * and the setting to change. No stack trace: the reader is whoever deploys
 * it, and the fault is theirs to fix, not ours to debug.
 */
export function refuseToStart(processName: string, reason: string): never {
  process.stderr.write(`${processName} refused to start: ${reason}\n`);
  process.exit(1);
}

/** The configuration, or the one-line refusal (a default secret in production, a malformed setting). */
export function loadConfigOrRefuse(processName: string): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) refuseToStart(processName, error.message);
    throw error;
  }
}

/** Where a database URL points, without its credentials. */
const whereIs = (databaseUrl: string) => {
  if (!URL.canParse(databaseUrl)) return 'DATABASE_URL (not a URL)';
  const url = new URL(databaseUrl);
  return `${url.hostname}:${url.port || 5432}${url.pathname}`;
};

/** How long a process waits at start for a database that is away (restarting, say) before it refuses. */
const DATABASE_START_WAIT_MS = 15_000;

/**
 * In production, a database that does not answer at start is a refusal,
 * after DATABASE_START_WAIT_MS of asking again (a database restarting
 * meanwhile is no reason to stop): a wrong DATABASE_URL shows in one line,
 * and the orchestrator restarts the process until the database is there. A
 * database that refuses us (wrong password, no such database) is refused at
 * once. Once started, a process rides out the database's absence.
 */
export async function requireDatabaseInProduction(
  processName: string,
  config: Pick<Config, 'NODE_ENV'>,
  databaseUrl: string,
  ping: () => PromiseLike<unknown>,
  waitMs = DATABASE_START_WAIT_MS,
): Promise<void> {
  if (config.NODE_ENV !== 'production') return;
  const giveUpAt = Date.now() + waitMs;
  for (;;) {
    try {
      await ping();
      return;
    } catch (error) {
      const reason = (error as Error).message.split('\n').filter(Boolean).at(-1) ?? String(error);
      const away = isDatabaseUnavailable(error);
      if (away && Date.now() < giveUpAt) {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        continue;
      }
      refuseToStart(
        processName,
        away
          ? `cannot reach the database at ${whereIs(databaseUrl)} (${reason}); check DATABASE_URL and that PostgreSQL runs`
          : `the database at ${whereIs(databaseUrl)} refused us (${reason}); check DATABASE_URL`,
      );
    }
  }
}
