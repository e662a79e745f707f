import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ActivityDeps } from '../../src/activities/index.ts';
import { orderStateQuery, orderWorkflowId } from '../../src/shared/order-workflow.ts';
import { sign } from '../../src/util/signature.ts';
import {
  ADMIN_TOKEN,
  CALLBACK_SECRET,
  HEALTHY_CARRIER,
  TEST_CODEC_KEYS_ENV,
  createTestMerchant,
  eventually,
  startStack,
  type Stack,
} from './harness.ts';
import { untypedJson } from '../untyped-json.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});
beforeEach(() => {
  stack.simulator.configure(HEALTHY_CARRIER);
});

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
/** JSON bodies under test, asserted field by field. */
async function call(
  path: string,
  { method = 'GET', headers = {}, body }: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
) {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: await untypedJson(response) };
}
const order = (merchant: { headers: Record<string, string> }, fields: Record<string, unknown> = {}) =>
  call('/orders', {
    method: 'POST',
    headers: merchant.headers,
    body: { merchantOrderNo: `M${randomUUID().slice(0, 18)}`, phone: '13812345678', amount: 50, ...fields },
  });
const balance = async (merchant: { headers: Record<string, string> }) =>
  (await call('/balance', { headers: merchant.headers })).body.balanceFen as number;
const finish = async (orderId: string) => (await stack.workflowOf(orderId)).result();
function carrierCallback(orderId: string, status: 'SUCCESS' | 'FAILED') {
  const raw = JSON.stringify({
    orderId,
    carrierOrderId: `C-${orderId.slice(0, 8)}`,
    status,
    reason: status === 'FAILED' ? 'number not in service' : undefined,
    timestamp: new Date().toISOString(),
  });
  return fetch(`${stack.apiUrl}/callbacks/carrier`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'X-Signature': sign(CALLBACK_SECRET, raw) },
    body: raw,
  });
}
const refundsOf = (orderId: string) => stack.prisma.ledgerEntry.findMany({ where: { orderId, type: 'ORDER_REFUND' } });

describe('merchants: keys, balances, top-ups and the ledger over HTTP', () => {
  it("limits a merchant's reads apart from its submissions, at its own limits set by an admin", async () => {
    const { merchantId, apiKey } = (
      await call('/admin/merchants', {
        method: 'POST',
        headers: admin,
        body: { name: 'Poller', rates: { CMCC: 1, CUCC: 1, CTCC: 1 } },
      })
    ).body;
    const shop = { headers: { authorization: `Bearer ${apiKey}` } };
    const limits = (body: unknown) => call(`/admin/merchants/${merchantId}`, { method: 'PATCH', headers: admin, body });
    expect(await limits({ readRateLimitPerSecond: 2 })).toMatchObject({
      status: 200,
      body: { rateLimits: { submitPerSecond: 100_000, readPerSecond: 2, own: { readPerSecond: 2 } } },
    });
    const reads = [];
    for (let i = 0; i < 3; i++) reads.push((await call('/balance', shop)).status);
    expect(reads).toEqual([200, 200, 429]);
    // Polling at its limit does not hold the merchant's orders up: a submission is counted apart.
    expect((await order(shop, { amount: 10 })).status).toBe(402);
    expect((await limits({ readRateLimitPerSecond: null })).body.rateLimits).toMatchObject({ readPerSecond: 200 });
    for (const [body, status] of [
      [{}, 400],
      [{ readRateLimitPerSecond: 0 }, 400],
      [{ submitRateLimitPerSecond: 1.5 }, 400],
      [{ apiKey: 'x' }, 400],
    ] as const)
      expect((await limits(body)).status, JSON.stringify(body)).toBe(status);
    expect(
      (
        await call(`/admin/merchants/${randomUUID()}`, {
          method: 'PATCH',
          headers: admin,
          body: { readRateLimitPerSecond: 5 },
        })
      ).status,
    ).toBe(404);
  });

  it('refuses order calls without a key or with an unknown one (401)', async () => {
    expect((await call('/orders?merchantOrderNo=X')).status).toBe(401);
    expect((await call('/balance', { headers: { authorization: 'Bearer rk_not-a-key' } })).status).toBe(401);
    const refused = await order({ headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(refused).toMatchObject({ status: 401, body: { error: 'unauthenticated', message: 'Unknown API key' } });
  });

  it('creates a merchant whose key works at once, prices its orders by its rates, and funds it through idempotent top-ups', async () => {
    const created = await call('/admin/merchants', {
      method: 'POST',
      headers: admin,
      body: { name: 'Shop A', rates: { CMCC: 0.9855, CUCC: 0.99, CTCC: 1 } },
    });
    expect(created).toMatchObject({
      status: 201,
      body: {
        merchantId: expect.any(String),
        apiKey: expect.stringMatching(/^rk_/),
        callbackSecret: expect.any(String),
      },
    });
    const { merchantId, apiKey } = created.body;
    const shop = { headers: { authorization: `Bearer ${apiKey}` } };
    expect(await stack.prisma.merchant.count({ where: { apiKeyHash: apiKey } })).toBe(0); // only the hash is stored
    expect((await call(`/admin/merchants/${merchantId}`, { headers: admin })).body).toEqual({
      merchantId,
      name: 'Shop A',
      rates: { CMCC: 0.9855, CUCC: 0.99, CTCC: 1 },
      balanceFen: 0,
      creditLimitFen: 0,
      availableFen: 0,
      timeZone: 'Asia/Shanghai',
      lowBalanceFen: 0,
      rateLimits: { submitPerSecond: 100_000, readPerSecond: 200, own: { submitPerSecond: null, readPerSecond: null } },
    });

    const broke = await order(shop, { amount: 10 });
    expect(broke).toMatchObject({
      status: 402,
      body: {
        error: 'insufficient_balance',
        message: expect.stringContaining('costs 986 fen and the balance is 0 fen'),
      },
    });
    expect(await stack.prisma.order.count({ where: { merchantId } })).toBe(0);

    const topUp = { amountFen: 2_000, note: 'bank transfer 8812', requestId: 'wire-8812' };
    const credited = await call(`/admin/merchants/${merchantId}/top-ups`, {
      method: 'POST',
      headers: admin,
      body: topUp,
    });
    expect(credited).toMatchObject({
      status: 201,
      body: {
        merchantId,
        balanceFen: 2_000,
        entry: { type: 'TOP_UP', amountFen: 2_000, requestId: 'wire-8812', operator: 'bootstrap-admin' },
      },
    });
    expect(
      await call(`/admin/merchants/${merchantId}/top-ups`, { method: 'POST', headers: admin, body: topUp }),
    ).toEqual(credited);
    expect(
      (
        await call(`/admin/merchants/${merchantId}/top-ups`, {
          method: 'POST',
          headers: admin,
          body: { ...topUp, amountFen: 3_000 },
        })
      ).status,
    ).toBe(409);

    const accepted = await order(shop, { amount: 10 }); // 10 yuan × 0.9855 = 985.5 fen, rounded up
    expect(accepted).toMatchObject({ status: 202, body: { costFen: 986 } });
    expect(await balance(shop)).toBe(1_014);
    await finish(accepted.body.orderId);
    const view = (await call(`/orders/${accepted.body.orderId}`, { headers: shop.headers })).body;
    expect(view).toMatchObject({
      status: 'SUCCEEDED',
      costFen: 986,
      money: [{ type: 'ORDER_DEBIT', amountFen: -986, balanceAfterFen: 1_014 }],
    });

    const page1 = (await call(`/admin/merchants/${merchantId}/ledger?limit=1`, { headers: admin })).body;
    expect(page1).toMatchObject({
      balanceFen: 1_014,
      entries: [{ type: 'ORDER_DEBIT', orderId: accepted.body.orderId }],
      nextBefore: expect.any(String),
    });
    const page2 = (
      await call(`/admin/merchants/${merchantId}/ledger?limit=5&before=${page1.nextBefore}`, { headers: admin })
    ).body;
    expect(page2).toMatchObject({ entries: [{ type: 'TOP_UP', amountFen: 2_000 }], nextBefore: null });
  });

  it('keeps merchant administration behind the admin token', async () => {
    const merchant = stack.merchant.id;
    for (const [method, path] of [
      ['POST', '/admin/merchants'],
      ['GET', `/admin/merchants/${merchant}`],
      ['POST', `/admin/merchants/${merchant}/top-ups`],
      ['GET', `/admin/merchants/${merchant}/ledger`],
      ['POST', '/admin/reconciliations'],
    ]) {
      expect(
        (await call(path as string, { method: method as string, body: method === 'POST' ? {} : undefined })).status,
        path,
      ).toBe(401);
      expect(
        (await call(path as string, { method: method as string, headers: stack.merchant.headers })).status,
        path,
      ).toBe(403);
    }
  });

  it('rejects malformed merchant and money requests with 400 and unknown merchants with 404', async () => {
    const bad = [
      { name: 'x', rates: { CMCC: 1, CUCC: 1 } },
      { name: 'x', rates: { CMCC: 0.1234567, CUCC: 1, CTCC: 1 } },
      { name: 'x', rates: { CMCC: 0.4, CUCC: 1, CTCC: 1 } },
      { name: '', rates: { CMCC: 1, CUCC: 1, CTCC: 1 } },
    ];
    for (const body of bad)
      expect(
        (await call('/admin/merchants', { method: 'POST', headers: admin, body })).status,
        JSON.stringify(body),
      ).toBe(400);
    const merchant = stack.merchant.id;
    for (const body of [
      { amountFen: 0, note: 'x', requestId: 'r1' },
      { amountFen: 1.5, note: 'x', requestId: 'r1' },
      { amountFen: 100, note: 'x' },
    ]) {
      expect(
        (await call(`/admin/merchants/${merchant}/top-ups`, { method: 'POST', headers: admin, body })).status,
        JSON.stringify(body),
      ).toBe(400);
    }
    expect(
      (
        await call(`/admin/merchants/${randomUUID()}/top-ups`, {
          method: 'POST',
          headers: admin,
          body: { amountFen: 1, note: 'x', requestId: 'r1' },
        })
      ).status,
    ).toBe(404);
    expect((await call(`/admin/merchants/${randomUUID()}`, { headers: admin })).status).toBe(404);
    expect((await call(`/admin/merchants/${randomUUID()}/ledger`, { headers: admin })).status).toBe(404);
    expect(
      (await call(`/admin/merchants/${merchant}/ledger?before=99999999999999999999`, { headers: admin })).status,
    ).toBe(400);
  });

  it('accepts exactly as many of 200 concurrent orders as the balance covers: 100 accepted, 100 refused with 402, balance exactly 0', async () => {
    stack.simulator.configure({ callbackLossRate: 1 }); // the orders stay open: no refunds blur the count
    const merchant = await createTestMerchant(stack.prisma, { balanceFen: 100 * 5_000 });
    const lowest = { fen: Number.POSITIVE_INFINITY };
    let burstOver = false;
    const watcher = (async () => {
      while (!burstOver) lowest.fen = Math.min(lowest.fen, await balance(merchant));
    })();
    const responses = await Promise.all(Array.from({ length: 200 }, () => order(merchant)));
    burstOver = true;
    await watcher;
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(100);
    expect(statuses.filter((s) => s === 402)).toHaveLength(100);
    expect(await balance(merchant)).toBe(0);
    expect(lowest.fen).toBeGreaterThanOrEqual(0);
    expect(await stack.prisma.order.count({ where: { merchantId: merchant.id } })).toBe(100);
    expect(await stack.prisma.ledgerEntry.count({ where: { merchantId: merchant.id, type: 'ORDER_DEBIT' } })).toBe(100);
  });

  it("keeps two merchants apart: the same merchantOrderNo makes two orders, and neither can read the other's", async () => {
    const [a, b] = await Promise.all([createTestMerchant(stack.prisma), createTestMerchant(stack.prisma)]);
    const [fromA, fromB] = await Promise.all([
      order(a, { merchantOrderNo: 'SHARED-001' }),
      order(b, { merchantOrderNo: 'SHARED-001', amount: 100 }),
    ]);
    expect([fromA.status, fromB.status]).toEqual([202, 202]);
    expect(fromA.body.orderId).not.toBe(fromB.body.orderId);
    expect((await call('/orders?merchantOrderNo=SHARED-001', { headers: a.headers })).body).toMatchObject({
      orderId: fromA.body.orderId,
      amountYuan: 50,
    });
    expect((await call('/orders?merchantOrderNo=SHARED-001', { headers: b.headers })).body).toMatchObject({
      orderId: fromB.body.orderId,
      amountYuan: 100,
    });
    for (const path of [`/orders/${fromA.body.orderId}`, `/orders/${fromA.body.orderId}/live`])
      expect((await call(path, { headers: b.headers })).status, path).toBe(404);
    expect([await balance(a), await balance(b)]).toEqual([1_000_000_000 - 5_000, 1_000_000_000 - 10_000]);
    await Promise.all([finish(fromA.body.orderId), finish(fromB.body.orderId)]);
  });
});

describe('refunds: a FAILED order gets its money back exactly once', () => {
  it('refunds once when the carrier delivers its failure callback three times', async () => {
    stack.simulator.configure({ callbackLossRate: 1 }); // the test delivers the callbacks
    const merchant = await createTestMerchant(stack.prisma, { balanceFen: 10_000 });
    const { body } = await order(merchant);
    await eventually(async () =>
      (await stack.orders.findById(body.orderId))?.status === 'PROCESSING' ? true : undefined,
    );
    const answers = await Promise.all([1, 2, 3].map(() => carrierCallback(body.orderId, 'FAILED')));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(await finish(body.orderId)).toMatchObject({ status: 'FAILED' });
    expect(await refundsOf(body.orderId)).toHaveLength(1);
    expect(await balance(merchant)).toBe(10_000);
    const view = (await call(`/orders/${body.orderId}`, { headers: merchant.headers })).body;
    expect(view.money).toMatchObject([
      { type: 'ORDER_DEBIT', amountFen: -5_000 },
      { type: 'ORDER_REFUND', amountFen: 5_000, balanceAfterFen: 10_000 },
    ]);
    expect(view.history.filter((e: { type: string }) => e.type === 'refunded')).toHaveLength(1);
  });

  it('refunds once when the refund activity fails after committing and is retried', async () => {
    const attempts: string[] = [];
    const { ledger } = stack.workerDeps;
    const flakyLedger: ActivityDeps['ledger'] = {
      ...ledger,
      async refundOrder(orderId) {
        const result = await ledger.refundOrder(orderId);
        attempts.push(result.outcome);
        if (attempts.length === 1) throw new Error('connection reset after the refund committed');
        return result;
      },
    };
    await stack.stopWorker();
    await stack.startWorker({ ...stack.workerDeps, ledger: flakyLedger });
    try {
      stack.simulator.configure({ refusalRate: 1 });
      const merchant = await createTestMerchant(stack.prisma, { balanceFen: 10_000 });
      const { body } = await order(merchant);
      expect(await finish(body.orderId)).toMatchObject({ status: 'FAILED', resolvedBy: 'carrier-refusal' });
      expect(attempts).toEqual(['refunded', 'already-refunded']);
      expect(await refundsOf(body.orderId)).toHaveLength(1);
      expect(await balance(merchant)).toBe(10_000);
    } finally {
      await stack.stopWorker();
      await stack.startWorker();
    }
  });

  it(
    'refunds once when the worker is killed right after the refund committed, and another worker takes over',
    { timeout: 90_000 },
    async () => {
      await stack.stopWorker();
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/integration/refund-crash-worker.ts'], {
        env: {
          ...process.env,
          DATABASE_URL: stack.databaseUrl,
          TEMPORAL_ADDRESS: stack.env.address,
          CARRIER_BASE_URL: stack.carrierUrl,
          CALLBACK_URL: `${stack.apiUrl}/callbacks/carrier`,
          PAYLOAD_CODEC_KEYS: TEST_CODEC_KEYS_ENV,
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      try {
        await eventually(async () => (output.includes('worker ready') ? true : undefined), 30_000);
        stack.simulator.configure({ refusalRate: 1 });
        const merchant = await createTestMerchant(stack.prisma, { balanceFen: 10_000 });
        const { body } = await order(merchant);
        const [, signal] = await once(child, 'exit');
        expect(signal).toBe('SIGKILL');
        expect(output).toContain('refund committed: {"outcome":"refunded","amountFen":5000}');
        expect(await balance(merchant)).toBe(10_000); // the refund is in the books; Temporal does not know yet

        await stack.startWorker();
        expect(await finish(body.orderId)).toMatchObject({ status: 'FAILED' });
        expect(await refundsOf(body.orderId)).toHaveLength(1);
        expect(await balance(merchant)).toBe(10_000);
        const timeline = (
          await stack.env.client.workflow.getHandle(orderWorkflowId(body.orderId)).query(orderStateQuery)
        ).timeline;
        expect(timeline.filter((entry) => entry.type === 'refunded').map((entry) => entry.detail)).toEqual([
          { outcome: 'already-refunded', amountFen: 5_000 },
        ]);
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        if (stack.workerState() !== 'RUNNING') await stack.startWorker();
      }
    },
  );
});

describe('credit lines (授信): a merchant below zero, down to its limit', () => {
  it('accepts exactly 100 of 200 concurrent 10-yuan orders with a balance of 0 and a credit of 1,000 yuan', async () => {
    const merchant = await createTestMerchant(stack.prisma, { balanceFen: 0 });
    const path = `/admin/merchants/${merchant.id}`;
    expect(await call(path, { method: 'PATCH', headers: admin, body: { creditLimitFen: 100_000 } })).toMatchObject({
      status: 200,
      body: { balanceFen: 0, creditLimitFen: 100_000, availableFen: 100_000 },
    });
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        order(merchant, { amount: 10, phone: `1381${String(10_000_000 + i).slice(1)}` }),
      ),
    );
    expect(answers.filter((a) => a.status === 202)).toHaveLength(100);
    const refused = answers.filter((a) => a.status === 402);
    expect(refused).toHaveLength(100);
    expect(refused[0]?.body.message).toContain('with a credit limit of 100000 fen');
    expect((await call('/balance', { headers: merchant.headers })).body).toEqual({
      merchantId: merchant.id,
      balanceFen: -100_000,
      creditLimitFen: 100_000,
      availableFen: 0,
    });
    // The ledger shows the negative balance as it is; the credit in use cannot be taken away.
    const ledger = await call(`${path}/ledger?limit=1`, { headers: admin });
    expect(ledger.body.entries[0]).toMatchObject({ type: 'ORDER_DEBIT', balanceAfterFen: -100_000 });
    expect(await call(path, { method: 'PATCH', headers: admin, body: { creditLimitFen: 50_000 } })).toMatchObject({
      status: 409,
      body: { error: 'credit_in_use' },
    });
    // A top-up is taken whatever the balance; a negative adjustment only down to minus the limit.
    const topUp = { amountFen: 30_000, requestId: 'repay-1', note: 'repaid' };
    expect((await call(`${path}/top-ups`, { method: 'POST', headers: admin, body: topUp })).status).toBe(201);
    const adjust = { amountFen: -30_001, requestId: 'adj-1', note: 'fee' };
    expect((await call(`${path}/adjustments`, { method: 'POST', headers: admin, body: adjust })).status).toBe(409);
    const metrics = await (await fetch(`${stack.apiUrl}/metrics`)).text();
    expect(metrics).toMatch(/^merchants_below_zero [1-9]/m);
  });
});
