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

/**
 * In production, a database that does not answer at start is a refusal: a
 * wrong DATABASE_URL shows at once, in one line, and the orchestrator
 * restarts the process until the database is there. (Once started, a
 * process rides out the database's absence.)
 */
export async function requireDatabaseInProduction(
  processName: string,
  config: Pick<Config, 'NODE_ENV'>,
  databaseUrl: string,
  ping: () => PromiseLike<unknown>,
): Promise<void> {
  if (config.NODE_ENV !== 'production') return;
  try {
    await ping();
  } catch (error) {
    const reason = (error as Error).message.split('\n').filter(Boolean).at(-1) ?? String(error);
    refuseToStart(
      processName,
      isDatabaseUnavailable(error)
        ? `cannot reach the database at ${whereIs(databaseUrl)} (${reason}); check DATABASE_URL and that PostgreSQL runs`
        : `the database at ${whereIs(databaseUrl)} refused us (${reason}); check DATABASE_URL`,
    );
  }
}
