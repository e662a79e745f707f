import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { reversalWorkflowId } from '../../src/shared/reversal.ts';
import { supplierRequestId } from '../../src/shared/suppliers.ts';
import { sign } from '../../src/util/signature.ts';
import {
  ADMIN_TOKEN,
  CALLBACK_SECRET,
  HEALTHY_CARRIER,
  TEST_SUPPLIER_ID,
  createTestMerchant,
  createTestOperator,
  eventually,
  startStack,
  type Stack,
  type TestMerchant,
} from './harness.ts';
import { untypedJson } from '../untyped-json.ts';

let stack: Stack;
let merchant: TestMerchant;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});
beforeEach(async () => {
  stack.simulator.configure(HEALTHY_CARRIER);
  merchant = await createTestMerchant(stack.prisma, { balanceFen: 100_000 });
});

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

async function placeOrder(fields: Record<string, unknown> = {}) {
  const response = await fetch(`${stack.apiUrl}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...merchant.headers },
    body: JSON.stringify({
      merchantOrderNo: `V${randomUUID().slice(0, 18)}`,
      phone: '13812345678',
      amount: 50,
      ...fields,
    }),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { orderId: string }).orderId;
}

/** The supplier's signed REVERSED callback for the order's first attempt (by default, the top-up that credited it). */
async function supplierReverses(orderId: string, carrierOrderId?: string) {
  const order = await stack.prisma.order.findUniqueOrThrow({ where: { id: orderId } });
  const raw = JSON.stringify({
    orderId: supplierRequestId(orderId, 1),
    carrierOrderId: carrierOrderId ?? order.carrierOrderId ?? 'C-none',
    status: 'REVERSED',
    reason: 'subscriber disputed the top-up',
    timestamp: new Date().toISOString(),
  });
  const response = await fetch(`${stack.apiUrl}/callbacks/suppliers/${TEST_SUPPLIER_ID}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'X-Signature': sign(CALLBACK_SECRET, raw) },
    body: raw,
  });
  return { status: response.status, body: await untypedJson(response) };
}

/** What a reversal must have moved: the books of the merchant and the supplier for one order. */
async function moneyOf(orderId: string) {
  const [order, entries, supplierEntries, merchantRow, supplier] = await Promise.all([
    stack.prisma.order.findUniqueOrThrow({ where: { id: orderId } }),
    stack.prisma.ledgerEntry.findMany({ where: { orderId }, orderBy: { id: 'asc' } }),
    stack.prisma.supplierLedgerEntry.findMany({ where: { orderId }, orderBy: { id: 'asc' } }),
    stack.prisma.merchant.findUniqueOrThrow({ where: { id: merchant.id } }),
    stack.prisma.supplier.findUniqueOrThrow({ where: { id: TEST_SUPPLIER_ID } }),
  ]);
  return {
    status: order.status,
    entries: entries.map((e) => [e.type, Number(e.amountFen)]),
    supplierEntries: supplierEntries.map((e) => [e.type, Number(e.amountFen)]),
    balanceFen: Number(merchantRow.balanceFen),
    supplierBalanceFen: Number(supplier.balanceFen),
  };
}

async function reconcile() {
  const started = await fetch(`${stack.apiUrl}/admin/reconciliations`, { method: 'POST', headers: admin });
  const { runId } = (await started.json()) as { runId: string };
  await stack.env.client.workflow.getHandle(runId).result();
  return untypedJson(await fetch(`${stack.apiUrl}/admin/reconciliations/${runId}`, { headers: admin }));
}

/** A merchant endpoint that refuses SUCCEEDED results (so the order's workflow stays open, retrying) and takes the rest. */
async function merchantRefusingSuccess() {
  const received: Record<string, unknown>[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const notification = JSON.parse(body) as Record<string, unknown>;
      received.push(notification);
      response.writeHead(notification.status === 'SUCCEEDED' ? 500 : 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`;
  return { url, received, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe('reversals (冲正): a supplier takes back a top-up it reported successful', () => {
  it('reverses a closed order once, however often the supplier says so: one refund, one credit-back, the order out of the margin', async () => {
    const orderId = await placeOrder();
    expect(await (await stack.workflowOf(orderId)).result()).toMatchObject({ status: 'SUCCEEDED' });
    const before = await moneyOf(orderId);
    expect(before.entries).toEqual([['ORDER_DEBIT', 5000]]);
    const [[, chargedFen] = []] = before.supplierEntries as [string, number][];
    expect(chargedFen).toBeGreaterThan(0);

    const answers = await Promise.all([supplierReverses(orderId), supplierReverses(orderId)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(answers[0]?.body).toMatchObject({ received: true, reversal: reversalWorkflowId(orderId) });
    expect(await stack.env.client.workflow.getHandle(reversalWorkflowId(orderId)).result()).toMatchObject({
      outcome: 'reversed',
      refundFen: 5000,
      supplierCreditFen: chargedFen,
    });
    const again = await supplierReverses(orderId);
    expect(again).toMatchObject({ status: 200, body: { received: true, applied: false } });

    const after = await moneyOf(orderId);
    expect(after).toEqual({
      status: 'REVERSED',
      entries: [
        ['ORDER_DEBIT', 5000],
        ['ORDER_REVERSAL', 5000],
      ],
      supplierEntries: [
        ['ORDER_COST', chargedFen],
        ['ORDER_REVERSAL', chargedFen],
      ],
      balanceFen: before.balanceFen + 5000,
      supplierBalanceFen: before.supplierBalanceFen + (chargedFen as number),
    });
    const view = await untypedJson(await fetch(`${stack.apiUrl}/orders/${orderId}`, { headers: merchant.headers }));
    expect(view).toMatchObject({ status: 'REVERSED' });
    // The merchant learns that the supplier reversed it, never which supplier (operators read who and why in the history).
    expect(view.failureReason).toBe(
      'the supplier reversed the top-up: the phone was not credited, the cost is refunded',
    );
    expect(JSON.stringify(view)).not.toContain(TEST_SUPPLIER_ID);
    const story = await untypedJson(await fetch(`${stack.apiUrl}/admin/orders/${orderId}`, { headers: admin }));
    expect(story.history).toContainEqual(
      expect.objectContaining({
        type: 'reversed',
        detail: expect.objectContaining({
          reversedBy: TEST_SUPPLIER_ID,
          reversalNote: 'subscriber disputed the top-up',
        }),
      }),
    );
    expect(await reconcile()).toMatchObject({ status: 'COMPLETED', mismatches: [] });

    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const margin = await untypedJson(
      await fetch(`${stack.apiUrl}/admin/reports/margin?from=${yesterday}&to=${tomorrow}`, { headers: admin }),
    );
    const ordersCounted = (margin.rows as { orders: number }[]).reduce((sum, row) => sum + row.orders, 0);
    const succeeded = await stack.prisma.order.count({ where: { status: 'SUCCEEDED', supplierId: { not: null } } });
    expect(ordersCounted).toBe(succeeded);

    // Operators find reversals by the order's status in the Web UI or `temporal workflow list`.
    await eventually(async () => {
      const listed = [];
      for await (const w of stack.env.client.workflow.list({ query: `OrderStatus = "REVERSED"` })) listed.push(w);
      return listed.some((w) => w.workflowId === reversalWorkflowId(orderId)) || undefined;
    });
  });

  it("reverses an order whose workflow is still open, and the merchant's notification says REVERSED", async () => {
    const endpoint = await merchantRefusingSuccess();
    try {
      const orderId = await placeOrder({ notifyUrl: endpoint.url });
      await eventually(async () => ((await moneyOf(orderId)).status === 'SUCCEEDED' ? true : undefined));
      const workflow = await stack.workflowOf(orderId);
      expect((await workflow.describe()).status.name).toBe('RUNNING');

      expect((await supplierReverses(orderId)).status).toBe(200);
      await stack.env.client.workflow.getHandle(reversalWorkflowId(orderId)).result();
      // The order's own workflow, still retrying its notification, now sends what the order is: REVERSED.
      expect(await workflow.result()).toMatchObject({ status: 'SUCCEEDED' });
      const told = endpoint.received.filter((n) => n.orderId === orderId && n.status === 'REVERSED');
      expect(told.length).toBeGreaterThanOrEqual(1);
      expect(told[0]).toMatchObject({ merchantOrderNo: expect.any(String), costFen: 5000 });
      expect((await moneyOf(orderId)).entries).toEqual([
        ['ORDER_DEBIT', 5000],
        ['ORDER_REVERSAL', 5000],
      ]);
    } finally {
      await endpoint.close();
    }
  });

  it('asks the supplier to re-send a reversal that comes before the order is final, and refuses one of another top-up', async () => {
    stack.simulator.configure({ callbackLossRate: 1 }); // the SUCCESS callback never comes: the order waits for its status check
    const orderId = await placeOrder();
    await eventually(async () => ((await moneyOf(orderId)).status === 'PROCESSING' ? true : undefined));
    expect(await supplierReverses(orderId)).toMatchObject({ status: 503, body: { error: 'order_not_final' } });
    expect((await moneyOf(orderId)).entries).toEqual([['ORDER_DEBIT', 5000]]);

    stack.simulator.configure(HEALTHY_CARRIER);
    const other = await placeOrder();
    await (await stack.workflowOf(other)).result();
    const wrongTopUp = await supplierReverses(other, 'C-another-top-up');
    expect(wrongTopUp).toMatchObject({ status: 409, body: { error: 'not_reversible' } });
    expect(wrongTopUp.body.message).toContain('another top-up');
    expect(await stack.prisma.order.findUniqueOrThrow({ where: { id: other } })).toMatchObject({
      status: 'SUCCEEDED',
      needsReview: true,
    });
  });

  it('refuses a reversal of an order that did not succeed, and flags it for review', async () => {
    stack.simulator.configure({ refusalRate: 1 });
    const orderId = await placeOrder();
    expect(await (await stack.workflowOf(orderId)).result()).toMatchObject({ status: 'FAILED' });
    const answer = await supplierReverses(orderId);
    expect(answer).toMatchObject({ status: 409, body: { error: 'not_reversible' } });
    expect(answer.body.message).toContain('the order is FAILED, not SUCCEEDED');
    const order = await stack.prisma.order.findUniqueOrThrow({ where: { id: orderId } });
    expect(order).toMatchObject({ status: 'FAILED', needsReview: true });
    expect((await moneyOf(orderId)).entries).toEqual([
      ['ORDER_DEBIT', 5000],
      ['ORDER_REFUND', 5000],
    ]);
  });

  it('lets an operator reverse an order on the supplier’s word, once, and only an operator', async () => {
    const orderId = await placeOrder();
    await (await stack.workflowOf(orderId)).result();
    const reverse = (headers: Record<string, string>, id = orderId, body: unknown = { note: 'supplier ticket 4411' }) =>
      fetch(`${stack.apiUrl}/admin/orders/${id}/reverse`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const viewer = await createTestOperator(stack.prisma, `viewer-${randomUUID().slice(0, 8)}`, 'viewer');
    expect((await reverse(viewer.headers)).status).toBe(403);
    expect((await reverse(admin, orderId, {})).status).toBe(400);
    expect((await reverse(admin, randomUUID())).status).toBe(404);

    const operator = await createTestOperator(stack.prisma, `oncall-${randomUUID().slice(0, 8)}`, 'operator');
    const done = await reverse(operator.headers);
    expect(done.status).toBe(200);
    expect(await untypedJson(done)).toMatchObject({ orderId, outcome: 'reversed', refundFen: 5000 });
    expect(await untypedJson(await reverse(operator.headers))).toMatchObject({ outcome: 'already-reversed' });
    const story = await untypedJson(await fetch(`${stack.apiUrl}/admin/orders/${orderId}`, { headers: admin }));
    expect(story.history).toContainEqual(
      expect.objectContaining({ type: 'reversed', detail: expect.objectContaining({ source: 'operator' }) }),
    );
    expect((await moneyOf(orderId)).entries).toEqual([
      ['ORDER_DEBIT', 5000],
      ['ORDER_REVERSAL', 5000],
    ]);

    // An order that did not succeed: 409, and the refusal is in its history with who asked.
    stack.simulator.configure({ refusalRate: 1 });
    const failed = await placeOrder();
    await (await stack.workflowOf(failed)).result();
    const refused = await reverse(operator.headers, failed);
    expect(refused.status).toBe(409);
    const failedStory = await untypedJson(await fetch(`${stack.apiUrl}/admin/orders/${failed}`, { headers: admin }));
    expect(failedStory.history).toContainEqual(
      expect.objectContaining({
        type: 'operator-action-refused',
        detail: expect.objectContaining({ action: 'reverse', operator: operator.name }),
      }),
    );
  });
});
