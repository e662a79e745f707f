import { Hono } from 'hono';
import type { ApiDeps } from '../deps.ts';
import { noQuery } from '../request-schemas.ts';
import { validate } from '../validate.ts';

/** Probes: `/healthz` says the process runs; `/readyz` that it can serve (503 naming what it cannot reach). */
export function healthRoutes({ readiness }: Pick<ApiDeps, 'readiness'>) {
  return new Hono()
    .get('/healthz', validate('query', noQuery), (c) => c.json({ ok: true }))
    .get('/readyz', validate('query', noQuery), async (c) => {
      const report = await readiness();
      return c.json(report, report.ready ? 200 : 503);
    });
}
