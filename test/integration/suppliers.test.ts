import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCarrierSimulator } from '../../src/carrier-sim/simulator.ts';
import { ensureSimulatedSuppliers } from '../../src/suppliers/simulated-suppliers.ts';
import { pacedRatePerSecond } from '../../src/suppliers/limits.ts';
import { TASK_QUEUE } from '../../src/shared/order-workflow.ts';
import { supplierTaskQueue } from '../../src/shared/suppliers.ts';
import { untypedJson as json } from '../untyped-json.ts';
import {
  ADMIN_TOKEN,
  CALLBACK_SECRET,
  HEALTHY_CARRIER,
  TEST_BREAKER,
  TEST_CODEC_KEYS_ENV,
  TEST_SUPPLIER_ID,
  eventually,
  listen,
  startStack,
  type Stack,
} from './harness.ts';

/**
 * Two simulated suppliers (the stack's `sim`, tried first, and `sim-b`) and
 * two workers: the stack's, in this process, and `npm start`'s worker
 * (src/worker/main.ts) in a process of its own, all on one Temporal server
 * and one database.
 */
let stack: Stack;
let simB: ReturnType<typeof createCarrierSimulator>;
const alerts: unknown[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  const webhook = await listen(new Hono().post('/', async (c) => (alerts.push(await c.req.json()), c.body(null, 204))));
  cleanups.push(webhook.close);
  stack = await startStack({ carrierTimeoutMs: 1_000, alertWebhookUrl: webhook.url });
  simB = createCarrierSimulator(CALLBACK_SECRET, HEALTHY_CARRIER);
  const simBServer = await listen(simB.app);
  cleanups.push(simBServer.close, async () => simB.stop());
  await ensureSimulatedSuppliers(stack.prisma, [
    { id: 'sim-b', baseUrl: simBServer.url, callbackSecret: CALLBACK_SECRET, priority: 2 },
  ]);
  await stack.supplierWorkers.sync();
  const worker = spawn(process.execPath, ['--import', 'tsx', 'src/worker/main.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: stack.databaseUrl,
      TEMPORAL_ADDRESS: stack.env.address,
      PUBLIC_BASE_URL: stack.apiUrl,
      CARRIER_BASE_URL: stack.carrierUrl,
      CARRIER_TIMEOUT_MS: '1000',
      PAYLOAD_CODEC_KEYS: TEST_CODEC_KEYS_ENV,
      ALERT_WEBHOOK_URL: webhook.url,
      SUPPLIER_BREAKER_FAULTS: String(TEST_BREAKER.faultsToOpen),
      SUPPLIER_BREAKER_COOL_DOWN_MS: String(TEST_BREAKER.coolDownMs),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  cleanups.unshift(async () => {
    worker.kill('SIGTERM');
    await once(worker, 'exit');
  });
  // Both workers poll every queue before the first test.
  for (const queue of [TASK_QUEUE, supplierTaskQueue(TEST_SUPPLIER_ID), supplierTaskQueue('sim-b')])
    await untilPolledBy(queue, 2);
}, 60_000);
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
  await stack?.stop();
});

/** The pollers of a task queue (activity pollers for a supplier's), each with the rate limit it asks the server for. */
async function pollersOf(queue: string) {
  const { pollers } = await stack.env.client.workflowService.describeTaskQueue({
    namespace: 'default',
    taskQueue: { name: queue },
    taskQueueType: queue === TASK_QUEUE ? 1 : 2,
  });
  return pollers ?? [];
}

const untilPolledBy = (queue: string, workers: number) =>
  eventually(async () => ((await pollersOf(queue)).length >= workers ? true : undefined), 30_000);

const admin = (path: string, init: { method?: string; body?: unknown } = {}) =>
  fetch(`${stack.apiUrl}/admin${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
  });

/** Submits `count` orders at once as the stack's merchant; their ids. */
async function submitOrders(count: number): Promise<string[]> {
  const answers = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      fetch(`${stack.apiUrl}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...stack.merchant.headers },
        body: JSON.stringify({
          merchantOrderNo: `S${randomUUID().slice(0, 18)}`,
          phone: `1381234${String(5000 + i).padStart(4, '0')}`,
          amount: 50,
        }),
      }).then(json),
    ),
  );
  return answers.map((answer) => answer.orderId as string);
}

/** Waits for every order to be final (their workflows' results: events, not sleeps); the rows. */
async function allFinal(orderIds: string[]) {
  await Promise.all(orderIds.map(async (id) => (await stack.workflowOf(id)).result()));
  return stack.prisma.order.findMany({ where: { id: { in: orderIds } } });
}

/** Waits until both workers poll the supplier's queue with its new rate limit. */
async function untilRateLimited(supplierId: string, perSecond: number) {
  await stack.supplierWorkers.sync();
  await eventually(async () => {
    const rates = (await pollersOf(supplierTaskQueue(supplierId))).map((poller) => poller.ratePerSecond);
    return rates.length >= 2 && rates.every((rate) => Math.abs((rate ?? 0) - pacedRatePerSecond(perSecond)) < 0.001)
      ? true
      : undefined;
  }, 30_000);
}

describe('suppliers: admin API', () => {
  const supplier = {
    id: 'acme',
    name: 'Acme Telecom',
    baseUrl: 'http://127.0.0.1:9/',
    carriers: ['CMCC', 'CUCC'],
    faceValuesYuan: [50, 100],
    rates: { CMCC: 0.96, CUCC: 0.965 },
    priority: 5,
    weight: 1,
    rateLimitPerSecond: 10,
    concurrencyLimit: 5,
    enabled: false,
  };

  it('creates a supplier once, shows its secret only then, and lists it with its breaker, balance and health', async () => {
    const created = await admin('/suppliers', { method: 'POST', body: supplier });
    expect(created.status).toBe(201);
    const body = await json(created);
    expect(body).toMatchObject({
      id: 'acme',
      rates: { CMCC: 0.96, CUCC: 0.965 },
      balanceFen: 0,
      breaker: { state: 'CLOSED' },
      enabled: false,
    });
    expect(body.callbackSecret).toMatch(/.{16,}/);
    expect((await admin('/suppliers', { method: 'POST', body: supplier })).status).toBe(409);
    const listed = (await json(await admin('/suppliers'))).suppliers;
    expect(listed.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining(['sim', 'sim-b', 'acme']));
    expect(listed.find((s: { id: string }) => s.id === 'acme')).not.toHaveProperty('callbackSecret');
    expect(listed.find((s: { id: string }) => s.id === 'acme').last5Minutes).toEqual({
      requests: 0,
      faults: 0,
      successRate: null,
    });
  });

  it('refuses a supplier a merchant could not be served by, with the field named', async () => {
    const noRate = await admin('/suppliers', {
      method: 'POST',
      body: { ...supplier, id: 'norate', rates: { CMCC: 0.96 } },
    });
    // Well formed by the document, which states this rule across fields in words: 422, not 400.
    expect(noRate.status).toBe(422);
    expect(await json(noRate)).toMatchObject({
      error: 'invalid_combination',
      fields: [{ field: 'rates', message: 'every carrier served needs a rate' }],
    });
    expect((await admin('/suppliers', { method: 'POST', body: { ...supplier, id: 'Bad Id' } })).status).toBe(400);
    expect(
      (await admin('/suppliers', { method: 'POST', body: { ...supplier, id: 'badface', faceValuesYuan: [7] } })).status,
    ).toBe(400);
    expect((await admin('/suppliers/nobody')).status).toBe(404);
  });

  it('changes a supplier without a restart, and tops it up idempotently', async () => {
    const changed = await admin('/suppliers/acme', { method: 'PATCH', body: { priority: 7, rates: { CUCC: 0.97 } } });
    expect(changed.status).toBe(200);
    expect(await json(changed)).toMatchObject({ priority: 7, rates: { CMCC: 0.96, CUCC: 0.97 } });
    expect((await admin('/suppliers/acme', { method: 'PATCH', body: {} })).status).toBe(400);
    const topUp = { amountFen: 500_000, requestId: 'acme-1', note: 'first prepayment' };
    const first = await admin('/suppliers/acme/top-ups', { method: 'POST', body: topUp });
    expect(first.status).toBe(201);
    const repeat = await admin('/suppliers/acme/top-ups', { method: 'POST', body: topUp });
    expect(await json(repeat)).toMatchObject({ balanceFen: 500_000 });
    expect((await admin('/suppliers/acme/top-ups', { method: 'POST', body: { ...topUp, amountFen: 1 } })).status).toBe(
      409,
    );
    expect((await json(await admin('/suppliers/acme'))).balanceFen).toBe(500_000);
  });
});

describe('suppliers: routing, limits and failover with two workers', () => {
  it('holds a supplier rate limit across both workers: a burst queues, none fails', async () => {
    expect(
      (await admin(`/suppliers/${TEST_SUPPLIER_ID}`, { method: 'PATCH', body: { rateLimitPerSecond: 4 } })).status,
    ).toBe(200);
    await untilRateLimited(TEST_SUPPLIER_ID, 4);
    stack.simulator.configure(HEALTHY_CARRIER);
    await fetch(`${stack.carrierUrl}/_sim/reset`, { method: 'POST' });
    const orders = await allFinal(await submitOrders(24));
    expect(orders.map((o) => [o.status, o.supplierId])).toEqual(orders.map(() => ['SUCCEEDED', TEST_SUPPLIER_ID]));
    const stats = stack.simulator.stats();
    expect(stats.requests).toBe(24);
    expect(stats.peakRequestsPerSecond).toBeLessThanOrEqual(4);
    await admin(`/suppliers/${TEST_SUPPLIER_ID}`, { method: 'PATCH', body: { rateLimitPerSecond: 1_000 } });
    await untilRateLimited(TEST_SUPPLIER_ID, 1_000);
  }, 60_000);

  it('holds a supplier concurrency limit across both workers: calls beyond it wait for a slot, none fails', async () => {
    const { concurrencyLimit } = await json(await admin(`/suppliers/${TEST_SUPPLIER_ID}`));
    // Each worker alone would take 2 calls at once: only the slots shared in PostgreSQL keep both together at 2.
    expect(
      (await admin(`/suppliers/${TEST_SUPPLIER_ID}`, { method: 'PATCH', body: { concurrencyLimit: 2 } })).status,
    ).toBe(200);
    await fetch(`${stack.carrierUrl}/_sim/reset`, { method: 'POST' });
    stack.simulator.configure({ ...HEALTHY_CARRIER, latencyMs: 200 });
    const simBChargesBefore = simB.stats().charges;
    const orders = await allFinal(await submitOrders(12));
    expect(orders.map((o) => o.status)).toEqual(orders.map(() => 'SUCCEEDED'));
    // 12 calls at once, 2 at a time at the supplier; every phone credited once (on a loaded machine a call may time out and its order go to sim-b).
    expect(stack.simulator.stats().peakInFlight).toBe(2);
    expect(stack.simulator.stats().charges + simB.stats().charges - simBChargesBefore).toBe(12);
    stack.simulator.configure({ latencyMs: 0 });
    await admin(`/suppliers/${TEST_SUPPLIER_ID}`, { method: 'PATCH', body: { concurrencyLimit } });
  }, 60_000);

  it('absorbs one supplier outage with the other, charging no phone twice; the breaker opens, probes and closes', async () => {
    stack.simulator.configure({ ...HEALTHY_CARRIER, serverErrorRate: 1 });
    const chargesBefore = stack.simulator.stats().charges + simB.stats().charges;
    const orders = await allFinal(await submitOrders(20));
    expect(orders.map((o) => o.status)).toEqual(orders.map(() => 'SUCCEEDED'));
    expect(orders.every((o) => o.supplierId === 'sim-b')).toBe(true);
    // Every phone credited once: the simulators' charges are the orders that SUCCEEDED.
    expect(stack.simulator.stats().charges + simB.stats().charges - chargesBefore).toBe(20);
    const sim = await json(await admin(`/suppliers/${TEST_SUPPLIER_ID}`));
    expect(sim.breaker.state).toBe('OPEN');
    expect(sim.last5Minutes.faults).toBeGreaterThanOrEqual(3);

    // The supplier is back: after the cool-down one order probes it, and its answer closes the breaker.
    stack.simulator.configure({ serverErrorRate: 0 });
    await eventually(async () => {
      const { breaker } = await json(await admin(`/suppliers/${TEST_SUPPLIER_ID}`));
      return breaker.state === 'OPEN' && Date.now() - Date.parse(breaker.since) > TEST_BREAKER.coolDownMs
        ? true
        : undefined;
    });
    const [probe] = await allFinal(await submitOrders(1));
    expect(probe).toMatchObject({ status: 'SUCCEEDED', supplierId: TEST_SUPPLIER_ID });
    expect((await json(await admin(`/suppliers/${TEST_SUPPLIER_ID}`))).breaker.state).toBe('CLOSED');
    const events = await stack.prisma.orderEvent.findMany({ where: { orderId: probe!.id, type: 'carrier-accepted' } });
    expect(events[0]?.detail).toMatchObject({ supplierId: TEST_SUPPLIER_ID, probe: true });
  }, 60_000);

  it('books each success at its supplier, reports the margin, and alerts when a balance runs low', async () => {
    const before = await json(await admin('/suppliers/sim-b'));
    await admin('/suppliers/sim-b', { method: 'PATCH', body: { lowBalanceFen: before.balanceFen - 1, priority: 0 } });
    const [order] = await allFinal(await submitOrders(1));
    expect(order).toMatchObject({ status: 'SUCCEEDED', supplierId: 'sim-b', supplierCostFen: 4850n });
    expect((await json(await admin('/suppliers/sim-b'))).balanceFen).toBe(before.balanceFen - 4850);
    await eventually(async () => (alerts.length > 0 ? true : undefined));
    expect(alerts).toEqual([
      {
        type: 'supplier-low-balance',
        supplierId: 'sim-b',
        balanceFen: before.balanceFen - 4850,
        lowBalanceFen: before.balanceFen - 1,
      },
    ]);
    await admin('/suppliers/sim-b', { method: 'PATCH', body: { lowBalanceFen: 0, priority: 2 } });

    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const report = await json(await admin(`/reports/margin?from=${today}&to=${tomorrow}`));
    const simBRow = report.rows.find((row: { supplierId: string }) => row.supplierId === 'sim-b');
    expect(simBRow).toMatchObject({
      day: today,
      carrier: 'CMCC',
      revenueFen: simBRow.orders * 5000,
      supplierCostFen: simBRow.orders * 4850,
      marginFen: simBRow.orders * 150,
    });
    expect(report.totals.orders).toBe(
      report.rows.reduce((sum: number, row: { orders: number }) => sum + row.orders, 0),
    );
    for (const [from, to] of [
      [tomorrow, today],
      [today, today],
    ])
      expect(await json(await admin(`/reports/margin?from=${from}&to=${to}`))).toMatchObject({
        error: 'invalid_combination',
        fields: [{ field: 'to', message: 'must be after from' }],
      });
    expect((await admin(`/reports/margin?from=${tomorrow}&to=x`)).status).toBe(400);
    // Year 0000, which PostgreSQL does not have (a 500 before), directly or carried there by an offset.
    for (const from of ['0000-01-01', '0001-01-01T00:00:00%2B01:00', '1999-12-31'])
      expect((await admin(`/reports/margin?from=${from}&to=${today}`)).status, from).toBe(400);
  }, 60_000);
});
