import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { BuildInfo, Readiness } from '../observability/readiness.ts';

/**
 * The worker's operations port: `/metrics` (the Temporal SDK's metrics and
 * the business metrics recorded through its meter, as the SDK's own
 * Prometheus exporter renders them on an internal address), `/healthz` and
 * `/readyz`, like the API's.
 */
export function startOpsServer({
  hostname,
  port,
  sdkMetricsUrl,
  readiness,
  build,
}: {
  hostname: string;
  port: number;
  sdkMetricsUrl: string;
  readiness: Readiness;
  build: Required<BuildInfo>;
}) {
  const buildInfo = `# HELP recharge_build_info The build this worker runs, as its Worker Deployment version\n# TYPE recharge_build_info gauge\nrecharge_build_info{deployment="${build.deploymentName}",build_id="${build.buildId}"} 1\n`;
  const app = new Hono()
    .get('/healthz', (c) => c.json({ ok: true }))
    .get('/readyz', async (c) => {
      const report = await readiness();
      return c.json(report, report.ready ? 200 : 503);
    })
    .get('/metrics', async (c) => {
      const response = await fetch(sdkMetricsUrl);
      return c.body(`${await response.text()}${buildInfo}`, response.ok ? 200 : 502, {
        'content-type': response.headers.get('content-type') ?? 'text/plain; version=0.0.4',
      });
    });
  return serve({ fetch: app.fetch, hostname, port });
}
