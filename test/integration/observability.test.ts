import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.ts';
import { createPrisma } from '../../src/db/prisma.ts';
import { freePort } from '../../src/util/free-port.ts';
import { waitUntilHealthy } from '../../src/dev/wait.ts';
import { databaseAndTemporalReadiness } from '../../src/observability/readiness.ts';
import { dashboardMetricNames } from '../unit/dashboard-metrics.ts';
import {
  CALLBACK_SECRET,
  TEST_CODEC_KEYS_ENV,
  TEST_VERSION,
  eventually,
  listen,
  startStack,
  type Stack,
} from './harness.ts';

/**
 * What an on-call engineer reads: the API's and the worker's Prometheus
 * metrics after real orders, their probes, and one access log line per
 * request with its request id. The worker here is `src/worker/main.ts` in a
 * process of its own (the stack's in-process workers are stopped), as
 * deployed, with its operations port.
 */
let stack: Stack;
let worker: ChildProcess;
let workerOps: string;
const logLines: Record<string, unknown>[] = [];
let api: Awaited<ReturnType<typeof listen>>;

const scrape = async (url: string) => (await fetch(`${url}/metrics`)).text();

beforeAll(async () => {
  stack = await startStack();
  await stack.stopWorker();
  await stack.supplierWorkers.shutdown();
  const capture = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  api = await listen(createApp(stack.apiDepsWith({ logger: pino({ level: 'info' }, capture) })));
  workerOps = `127.0.0.1:${await freePort()}`;
  worker = spawn(process.execPath, ['--import', 'tsx', 'src/worker/main.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: stack.databaseUrl,
      TEMPORAL_ADDRESS: stack.env.address,
      PUBLIC_BASE_URL: api.url,
      CARRIER_BASE_URL: stack.carrierUrl,
      CARRIER_CALLBACK_SECRET: CALLBACK_SECRET,
      PAYLOAD_CODEC_KEYS: TEST_CODEC_KEYS_ENV,
      WORKER_METRICS_ADDRESS: workerOps,
      LOG_LEVEL: 'warn',
      // The stack's version, which is current.
      BUILD_ID: TEST_VERSION.buildId,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitUntilHealthy(`http://${workerOps}/healthz`);
}, 90_000);

afterAll(async () => {
  if (worker && worker.exitCode === null) {
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.kill('SIGTERM');
    await exited;
  }
  await api?.close();
  await stack?.stop();
});

const order = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  fetch(`${api.url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...stack.merchant.headers, ...headers },
    body: JSON.stringify(body),
  });

describe('metrics, probes and access logs', () => {
  it('counts orders and callbacks by outcome on the API, and the worker records their business metrics', async () => {
    const accepted = await Promise.all(
      [1, 2, 3].map(() =>
        order({ merchantOrderNo: `OBS-${randomUUID().slice(0, 8)}`, phone: '13812345678', amount: 50 }),
      ),
    );
    expect(accepted.map((r) => r.status)).toEqual([202, 202, 202]);
    expect((await order({ merchantOrderNo: 'OBS-bad', phone: '123', amount: 50 })).status).toBe(400);
    const ids = await Promise.all(accepted.map(async (r) => ((await r.json()) as { orderId: string }).orderId));
    await eventually(
      async () =>
        (await Promise.all(ids.map((id) => stack.orders.findById(id)))).every((o) => o?.status === 'SUCCEEDED')
          ? true
          : undefined,
      30_000,
    );

    const apiMetrics = await scrape(api.url);
    expect(apiMetrics).toMatch(/^http_requests_total\{method="POST",route="\/orders",status="202"\} 3$/m);
    expect(apiMetrics).toMatch(
      /^http_request_duration_seconds_bucket\{le="0.1",method="POST",route="\/orders",status="202"\} \d+$/m,
    );
    expect(apiMetrics).toMatch(/^orders_accepted_total 3$/m);
    expect(apiMetrics).toMatch(/^orders_refused_total\{reason="validation"\} 1$/m);
    expect(apiMetrics).toMatch(/^supplier_callbacks_total\{outcome="accepted",reason=""\} [3-9]$/m);
    expect(apiMetrics).toMatch(/^orders_escalated_open 0$/m);
    expect(apiMetrics).toMatch(/^merchant_notifications_pending \d+$/m);

    // The worker's series: business metrics through Temporal's meter, beside the SDK's own.
    const workerMetrics = await eventually(async () => {
      const text = await scrape(`http://${workerOps}`);
      return /recharge_order_outcomes\{.*status="SUCCEEDED".*\} 3/.test(text) ? text : undefined;
    });
    expect(workerMetrics).toMatch(/recharge_order_submit_to_final_bucket\{.*carrier="CMCC".*supplier="sim".*\} \d+/);
    expect(workerMetrics).toMatch(
      /supplier_call_latency_bucket\{.*kind="recharge".*outcome="answer".*supplier="sim".*\} \d+/,
    );
    // The Temporal SDK's series the on-call dashboard reads, under the names it queries.
    for (const name of (await dashboardMetricNames()).filter((metric) => metric.startsWith('temporal_')))
      expect(workerMetrics).toMatch(new RegExp(`^${name}\\{`, 'm'));
  });

  it('answers X-Request-Id, the caller’s or a new one, and logs one line per request without the phone number', async () => {
    const given = `req-${randomUUID()}`;
    const response = await order(
      { merchantOrderNo: `OBS-${randomUUID().slice(0, 8)}`, phone: '13912345678', amount: 30 },
      { 'x-request-id': given },
    );
    expect(response.headers.get('x-request-id')).toBe(given);
    expect((await fetch(`${api.url}/healthz`)).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const line = logLines.find((entry) => entry.requestId === given);
    expect(line).toMatchObject({
      msg: 'request',
      method: 'POST',
      route: '/orders',
      status: 202,
      merchantId: stack.merchant.id,
      durationMs: expect.any(Number),
    });
    expect(JSON.stringify(logLines)).not.toContain('13912345678');
    const read = await fetch(`${api.url}/orders/${randomUUID()}`, { headers: stack.merchant.headers });
    expect(logLines.find((entry) => entry.requestId === read.headers.get('x-request-id'))).toMatchObject({
      route: '/orders/:orderId',
      status: 404,
    });
  });

  it('is ready with the database and Temporal up, and answers 503 naming the database when it is stopped', async () => {
    expect(await (await fetch(`${api.url}/readyz`)).json()).toEqual({
      ready: true,
      checks: { database: 'ok', temporal: 'ok' },
    });
    expect((await fetch(`http://${workerOps}/readyz`)).status).toBe(200);
    // A database nobody serves: as it answers while its server is stopped.
    const stopped = createPrisma(`postgresql://postgres@127.0.0.1:${await freePort()}/gone`);
    const withoutDatabase = await listen(
      createApp({
        ...stack.apiDepsWith(),
        readiness: databaseAndTemporalReadiness({ db: stopped, temporal: stack.env.client }),
      }),
    );
    try {
      const answer = await fetch(`${withoutDatabase.url}/readyz`);
      expect(answer.status).toBe(503);
      expect(await answer.json()).toMatchObject({
        ready: false,
        checks: { database: expect.stringMatching(/^unreachable: /), temporal: 'ok' },
      });
      expect((await fetch(`${withoutDatabase.url}/healthz`)).status).toBe(200);
    } finally {
      await withoutDatabase.close();
      await stopped.$disconnect();
    }
  });
});
