import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { databaseDeadline } from '../../src/api/database-deadline.ts';
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
    new Hono().use(databaseDeadline({ stalled: () => stalled }, 50)).get('/', async (c) => {
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
