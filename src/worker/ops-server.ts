import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { Readiness } from '../observability/readiness.ts';

/**
 * The worker's operations port: `/metrics` (the Temporal SDK's metrics and
 * the business metrics recorded through its meter, as the SDK's own
 * Prometheus exporter renders them on an internal address), `/healthz` and
 * `/readyz`, like the API's.
 */
export function startOpsServer({ hostname, port, sdkMetricsUrl, readiness }: { hostname: string; port: number; sdkMetricsUrl: string; readiness: Readiness }) {
  const app = new Hono()
    .get('/healthz', (c) => c.json({ ok: true }))
    .get('/readyz', async (c) => {
      const { ready, checks } = await readiness();
      return c.json({ ready, checks }, ready ? 200 : 503);
    })
    .get('/metrics', async (c) => {
      const response = await fetch(sdkMetricsUrl);
      return c.body(await response.text(), response.ok ? 200 : 502, { 'content-type': response.headers.get('content-type') ?? 'text/plain; version=0.0.4' });
    });
  return serve({ fetch: app.fetch, hostname, port });
}
