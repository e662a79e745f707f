import type { MiddlewareHandler } from 'hono';
import type { DatabaseStalls } from '../db/database-stalls.ts';
import { databaseUnavailable } from './errors.ts';

/**
 * A request still unanswered this long is answered 503 if the database has
 * stalled: with the probe's 500 ms at most, the client has its answer within 3 s.
 */
export const DATABASE_DEADLINE_MS = 2_200;

/**
 * Answers 503 `database_unavailable` for a request that has waited
 * DATABASE_DEADLINE_MS while the database does not answer (frozen, cut
 * off: statements neither answer nor fail). The request itself runs on and
 * ends when the database returns or its own timeouts fire: whatever it
 * wrote is whole (one transaction), and a merchant's retry with the same
 * merchantOrderNo finds it. A request that is merely slow, the database
 * answering (a large report, an Update waiting on its workflow), is not cut
 * short.
 */
export function databaseDeadline(
  stalls: Pick<DatabaseStalls, 'stalled'>,
  deadlineMs = DATABASE_DEADLINE_MS,
): MiddlewareHandler {
  return async (c, next) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), deadlineMs);
    });
    const handled = next().then(() => 'handled' as const);
    try {
      if ((await Promise.race([handled, late])) === 'late' && (await stalls.stalled())) {
        handled.catch(() => undefined);
        return databaseUnavailable(c);
      }
      await handled;
    } finally {
      clearTimeout(timer);
    }
  };
}
