import { Hono } from 'hono';
import type pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { databaseDeadline } from '../../src/api/database-deadline.ts';
import { watchDatabaseStalls } from '../../src/db/database-stalls.ts';
import { isDatabaseUnavailable } from '../../src/db/database-unavailable.ts';

/** The errors seen from a stopped server (refused), a frozen one (no answer) and a restarting one, raw and through Prisma. */
const away = {
  'a refused connection (pg)': Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
  'a refused connection (Prisma)': Object.assign(new Error("Can't reach database server at 127.0.0.1:1"), {
    code: 'P2010',
    meta: { driverAdapterError: { cause: { kind: 'DatabaseNotReachable' } } },
  }),
  'no connection in time (pg)': new Error('timeout exceeded when trying to connect'),
  'a frozen server (pg)': new Error('Connection terminated due to connection timeout', {
    cause: new Error('Connection terminated unexpectedly'),
  }),
  'a statement unanswered': new Error('Query read timeout'),
  'a server starting up': Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
  'a server shutting down (Prisma)': Object.assign(new Error('terminating connection'), {
    code: 'P2010',
    meta: { driverAdapterError: { cause: { kind: 'postgres', originalCode: '57P01' } } },
  }),
};

describe('isDatabaseUnavailable', () => {
  for (const [what, error] of Object.entries(away))
    it(`says yes for ${what}`, () => expect(isDatabaseUnavailable(error)).toBe(true));

  it('says no for the request’s or our own faults', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('Unique constraint'), { code: 'P2002' }))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
  });
});

describe('databaseDeadline', () => {
  const appWith = (stalled: boolean, handlerMs: number) =>
    new Hono().use(databaseDeadline({ stalled: async () => stalled }, 50)).get('/', async (c) => {
      await new Promise((resolve) => setTimeout(resolve, handlerMs));
      return c.json({ ok: true });
    });

  it('answers 503 naming the database, with Retry-After, when a request waits on a stalled database', async () => {
    const response = await appWith(true, 1_000).request('/');
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await response.json()).toMatchObject({ error: 'database_unavailable' });
  });

  it('lets a slow request finish while the database answers', async () => {
    const response = await appWith(false, 150).request('/');
    expect(response.status).toBe(200);
  });
});

describe('watchDatabaseStalls', () => {
  const poolWith = (counts: { totalCount: number; idleCount: number; waitingCount: number }) =>
    ({ ...counts, options: {}, on: () => undefined }) as unknown as pg.Pool;

  it('says no without asking the server while nothing is taken from the pool', async () => {
    const probe = vi.fn(async () => undefined);
    expect(await watchDatabaseStalls(poolWith({ totalCount: 3, idleCount: 3, waitingCount: 0 }), probe).stalled()).toBe(
      false,
    );
    expect(probe).not.toHaveBeenCalled();
  });

  it('asks the server when connections are out: a slow statement on a server that answers is no stall', async () => {
    const busy = poolWith({ totalCount: 10, idleCount: 0, waitingCount: 4 });
    expect(await watchDatabaseStalls(busy, async () => undefined).stalled()).toBe(false);
    expect(await watchDatabaseStalls(busy, () => Promise.reject(new Error('no answer within 500 ms'))).stalled()).toBe(
      true,
    );
  });

  it('shares one probe among the requests that ask together, and keeps its answer for a second', async () => {
    let time = 0;
    const probe = vi.fn(() => Promise.reject(new Error('no answer')));
    const stalls = watchDatabaseStalls(poolWith({ totalCount: 1, idleCount: 0, waitingCount: 0 }), probe, () => time);
    expect(await Promise.all([stalls.stalled(), stalls.stalled(), stalls.stalled()])).toEqual([true, true, true]);
    time = 900;
    await stalls.stalled();
    expect(probe).toHaveBeenCalledTimes(1);
    time = 1_100;
    await stalls.stalled();
    expect(probe).toHaveBeenCalledTimes(2);
  });
});
