import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCarrierSimulator } from '../../src/carrier-sim/simulator.ts';
import { SUPPLIER_BILL_WORKFLOW_TYPE } from '../../src/shared/supplier-bill-reconciliation.ts';
import { TASK_QUEUE } from '../../src/shared/order-workflow.ts';
import { utcDay } from '../../src/shared/calendar-days.ts';
import { parseBill, type BillLine } from '../../src/shared/supplier-bill.ts';
import { billDifferences } from '../../src/supplier-bills/bill-service.ts';
import { ensureSimulatedSuppliers } from '../../src/suppliers/simulated-suppliers.ts';
import { untypedJson as json } from '../untyped-json.ts';
import {
  ADMIN_TOKEN,
  CALLBACK_SECRET,
  HEALTHY_CARRIER,
  TEST_SUPPLIER_ID,
  listen,
  startStack,
  type Stack,
} from './harness.ts';

/**
 * Real orders through the stack, split between two simulated suppliers of
 * one priority (`sim`, and `sim-b`, which fails some so that they move on to
 * `sim`), then each supplier's bill reconciled against what we recorded.
 */
let stack: Stack;
let simBUrl: string;
const cleanups: (() => Promise<unknown>)[] = [];
let today: string;

/** The tests place orders and reconcile their UTC day: started in the last 3 minutes of one, they wait for the next. */
async function aDayWithRoom(): Promise<string> {
  const msToMidnight = Date.parse(`${utcDay(new Date(Date.now() + 86_400_000))}T00:00:00Z`) - Date.now();
  if (msToMidnight < 180_000) await sleep(msToMidnight + 1_000);
  return utcDay(new Date());
}

beforeAll(async () => {
  today = await aDayWithRoom();
  stack = await startStack();
  const simB = createCarrierSimulator(CALLBACK_SECRET, { ...HEALTHY_CARRIER, seed: 'bills', failureRate: 0.3 });
  const server = await listen(simB.app);
  simBUrl = server.url;
  cleanups.push(server.close, async () => simB.stop());
  await ensureSimulatedSuppliers(stack.prisma, [
    { id: 'sim-b', baseUrl: simBUrl, callbackSecret: CALLBACK_SECRET, priority: 1 },
  ]);
  await stack.supplierWorkers.sync();
}, 300_000);
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
  await stack?.stop();
});

const reconcile = (supplierId: string, body: unknown, init: { query?: string; csv?: string } = {}) =>
  fetch(`${stack.apiUrl}/admin/suppliers/${supplierId}/bill-reconciliations${init.query ?? ''}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      'content-type': init.csv === undefined ? 'application/json' : 'text/csv',
    },
    body: init.csv ?? JSON.stringify(body),
  });

async function billOf(url: string): Promise<{ text: string; lines: BillLine[] }> {
  const text = await (await fetch(`${url}/_sim/bill?date=${today}`)).text();
  const parsed = parseBill(text);
  if ('error' in parsed) throw new Error(parsed.error);
  return { text, lines: parsed.lines };
}

/** Places `count` orders as the stack's merchant and waits until each is final. */
async function placeOrders(count: number) {
  const answers = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      fetch(`${stack.apiUrl}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...stack.merchant.headers },
        body: JSON.stringify({
          merchantOrderNo: `B${randomUUID().slice(0, 18)}`,
          phone: `1391234${String(6000 + i).padStart(4, '0')}`,
          amount: [10, 50, 100][i % 3],
        }),
      }).then(json),
    ),
  );
  const ids = answers.map((answer) => answer.orderId as string);
  await Promise.all(ids.map(async (id) => (await stack.workflowOf(id)).result()));
  return stack.prisma.order.findMany({ where: { id: { in: ids } } });
}

describe('supplier bill reconciliation', () => {
  it('finds 0 differences between each simulator’s bill and our orders after a clean run', async () => {
    const orders = await placeOrders(24);
    expect(orders.every((order) => order.status === 'SUCCEEDED')).toBe(true);
    for (const supplierId of [TEST_SUPPLIER_ID, 'sim-b']) {
      const answer = await reconcile(supplierId, { date: today });
      expect(answer.status).toBe(201);
      const run = await json(answer);
      const ours = orders.filter((order) => order.supplierId === supplierId);
      const costs = ours.reduce((sum, order) => sum + Number(order.supplierCostFen), 0);
      expect(run).toMatchObject({
        supplierId,
        date: today,
        status: 'MATCHED',
        differences: [],
        recorded: { count: ours.length, amountFen: costs },
        billed: { amountFen: costs },
      });
      expect(ours.length).toBeGreaterThan(0);
      // The bill is what a GET of the run answers.
      const read = await fetch(`${stack.apiUrl}/admin/suppliers/${supplierId}/bill-reconciliations/${run.runId}`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(await json(read)).toEqual(run);
    }
    // sim-b failed some: FAILED lines at 0 on its bill, and ours FAILED too.
    expect((await billOf(simBUrl)).lines.some((line) => line.status === 'FAILED')).toBe(true);
  });

  it('finds exactly one difference, unknown_to_us, for a phantom charge; the chaos suite’s function sees the same', async () => {
    const planted = await fetch(`${simBUrl}/_sim/phantom-charge`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phone: '13912345678', faceValueYuan: 50 }),
    }).then(json);
    const run = await json(await reconcile('sim-b', { date: today }));
    expect(run).toMatchObject({
      status: 'DIFFERENCES',
      differences: [
        {
          kind: 'unknown_to_us',
          requestId: planted.requestId,
          ours: null,
          theirs: { phone: '139****5678', amountFen: 4850, status: 'SUCCESS' },
        },
      ],
    });
    expect(await billDifferences(stack.prisma, 'sim-b', today)).toEqual(run.differences);
    expect(await billDifferences(stack.prisma, TEST_SUPPLIER_ID, today)).toEqual([]);
    expect(await stack.apiDeps.supplierBills.latestDifferences()).toBe(1);
  });

  it('compares a bill sent as CSV: a wrong amount, a wrong status and a missing line are each a difference', async () => {
    const { text, lines } = await billOf(stack.carrierUrl);
    const [amountLine, statusLine, dropped] = lines.filter((line) => line.status === 'SUCCESS');
    const rows = text.split('\n').filter((row) => !row.startsWith(`${dropped?.requestId},`));
    const edited = rows
      .map((row) =>
        row.startsWith(`${amountLine?.requestId},`)
          ? row.replace(`,${amountLine?.amountFen},SUCCESS,`, `,${(amountLine?.amountFen ?? 0) + 1},SUCCESS,`)
          : row.startsWith(`${statusLine?.requestId},`)
            ? row.replace(`,${statusLine?.amountFen},SUCCESS,`, ',0,FAILED,')
            : row,
      )
      .join('\n');
    const answer = await reconcile(TEST_SUPPLIER_ID, undefined, { query: `?date=${today}`, csv: edited });
    expect(answer.status).toBe(201);
    const run = await json(answer);
    expect(run.trigger).toBe('upload');
    expect(run.differences.map((d: { kind: string; requestId: string }) => [d.kind, d.requestId])).toEqual([
      ['amount_differs', amountLine?.requestId],
      ['status_differs', statusLine?.requestId],
      ['not_billed', dropped?.requestId],
    ]);
    expect(run.differences[0].ours).toMatchObject({ status: 'SUCCESS', amountFen: amountLine?.amountFen });
  });

  it('answers 404 for an unknown supplier, 400 for a bad date or CSV, 502 when the bill cannot be fetched', async () => {
    expect((await reconcile('nobody', { date: today })).status).toBe(404);
    for (const date of ['2026-02-30', '20261204', 1])
      expect((await reconcile(TEST_SUPPLIER_ID, { date })).status).toBe(400);
    const badCsv = await reconcile(TEST_SUPPLIER_ID, undefined, { query: `?date=${today}`, csv: 'not,a,bill\n' });
    expect(await json(badCsv)).toMatchObject({ error: 'invalid_bill', message: expect.stringContaining('line 1') });
    const otherDay = `requestId,phone,faceValueYuan,amountFen,status,time,day\nx-1,138****5678,50,4850,SUCCESS,2020-01-01T00:00:00.000Z,2020-01-01\n`;
    expect((await reconcile(TEST_SUPPLIER_ID, undefined, { query: `?date=${today}`, csv: otherDay })).status).toBe(400);
    expect((await reconcile(TEST_SUPPLIER_ID, undefined, { csv: otherDay })).status).toBe(400);
    // A bill larger than any JSON body is taken.
    const header = 'requestId,phone,faceValueYuan,amountFen,status,time,day\n';
    const big = header + `\n`.repeat(40_000);
    expect((await reconcile(TEST_SUPPLIER_ID, undefined, { query: `?date=2020-01-01`, csv: big })).status).toBe(201);
    await stack.prisma.supplier.update({ where: { id: 'sim-b' }, data: { baseUrl: 'http://127.0.0.1:9/' } });
    try {
      const down = await reconcile('sim-b', { date: today });
      expect(down.status).toBe(502);
      expect(await json(down)).toMatchObject({ error: 'bill_unavailable' });
    } finally {
      await stack.prisma.supplier.update({ where: { id: 'sim-b' }, data: { baseUrl: simBUrl } });
    }
  });

  it('the daily workflow reconciles every enabled supplier’s bill of the day and stores each run', async () => {
    const runs: { supplierId: string }[] = await stack.env.client.workflow.execute(SUPPLIER_BILL_WORKFLOW_TYPE, {
      taskQueue: TASK_QUEUE,
      workflowId: `supplier-bills-test-${randomUUID()}`,
      args: [{ day: today }],
    });
    expect([...runs].sort((a, b) => a.supplierId.localeCompare(b.supplierId))).toEqual([
      { supplierId: TEST_SUPPLIER_ID, runId: expect.any(String), differences: 0 },
      { supplierId: 'sim-b', runId: expect.any(String), differences: 1 },
    ]);
    const stored = await stack.prisma.supplierBillRun.findMany({ where: { trigger: 'schedule' } });
    expect(stored.map((run) => [run.supplierId, run.differenceCount]).sort()).toEqual([
      [TEST_SUPPLIER_ID, 0],
      ['sim-b', 1],
    ]);
  });
});
