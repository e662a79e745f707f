import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECONCILIATION_SCHEDULE_ID } from '../../src/shared/reconciliation.ts';
import { ensureReconciliationSchedule } from '../../src/temporal/reconciliation-schedule.ts';
import {
  ADMIN_TOKEN,
  TEST_SUPPLIER_ID,
  createTestMerchant,
  eventually,
  insertOrder,
  startStack,
  type Stack,
} from './harness.ts';
import { untypedJson } from '../untyped-json.ts';

// One stack for the file, and tests in order: each run checks every order the earlier tests left.
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
async function submit(headers: Record<string, string>, phone = '13812345678') {
  const response = await fetch(`${stack.apiUrl}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ merchantOrderNo: `R${randomUUID().slice(0, 18)}`, phone, amount: 30 }),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { orderId: string }).orderId;
}
/** Starts a run through the admin API (on `apiUrl`, whose SLA sets which open orders are stale) and waits for its report. */
async function reconcile(apiUrl = stack.apiUrl) {
  const started = await fetch(`${apiUrl}/admin/reconciliations`, { method: 'POST', headers: admin });
  expect(started.status).toBe(202);
  const { runId } = (await started.json()) as { runId: string };
  await stack.env.client.workflow.getHandle(runId).result();
  return untypedJson(await fetch(`${stack.apiUrl}/admin/reconciliations/${runId}`, { headers: admin }));
}

describe('reconciliation: orders against the ledger, balances against their entries, stale orders against the carrier', () => {
  it('finds no mismatch after a mixed run of succeeded and failed orders', { timeout: 60_000 }, async () => {
    const [a, b] = await Promise.all([
      createTestMerchant(stack.prisma, { rates: { CMCC: '0.985', CUCC: '0.99', CTCC: '0.995' } }),
      createTestMerchant(stack.prisma),
    ]);
    stack.simulator.configure({ refusalRate: 0.5 });
    const orderIds = await Promise.all([
      ...Array.from({ length: 10 }, () => submit(a.headers)),
      ...Array.from({ length: 10 }, () => submit(b.headers, '18912345678')),
    ]);
    const outcomes = await Promise.all(orderIds.map(async (id) => (await stack.workflowOf(id)).result()));
    expect(new Set(outcomes.map((o) => o.status))).toEqual(new Set(['SUCCEEDED', 'FAILED']));

    const report = await reconcile();
    expect(report).toMatchObject({
      status: 'COMPLETED',
      trigger: 'manual',
      checkedOrders: 20,
      checkedMerchants: 3,
      mismatches: [],
    });
    expect(
      (await fetch(`${stack.apiUrl}/admin/reconciliations/reconciliation-${randomUUID()}`, { headers: admin })).status,
    ).toBe(404);
  });

  it(
    'reports planted mismatches: a refund on a succeeded order, balances off their entries, open orders the carrier never got or decided unheard',
    { timeout: 60_000 },
    async () => {
      const merchant = await createTestMerchant(stack.prisma);
      stack.simulator.configure({ refusalRate: 0 });
      const succeeded = await submit(merchant.headers);
      await (await stack.workflowOf(succeeded)).result();
      // Planted behind the application's back, as a bug or a hand-edit would.
      await stack.prisma.$executeRaw`
      INSERT INTO ledger_entries (merchant_id, type, debit_account, credit_account, amount_fen, balance_after_fen, order_id)
      VALUES (${merchant.id}, 'ORDER_REFUND', 'platform:sales', ${`merchant:${merchant.id}`}, 3000, 0, ${succeeded})`;
      const drifted = await createTestMerchant(stack.prisma, { balanceFen: 100 });
      await stack.prisma.$executeRaw`UPDATE merchants SET balance_fen = balance_fen + 1 WHERE id = ${drifted.id}`;
      const lost = await insertOrder(stack.orders, merchant.id); // stored, but its workflow never started: the carrier has no record
      // A slow order has a day: open and unknown to the carrier, it is not stale yet, so not a finding.
      await insertOrder(stack.orders, merchant.id, { speed: 'slow', slaSeconds: 86_400 });
      await stack.prisma.$executeRaw`UPDATE suppliers SET balance_fen = balance_fen - 7 WHERE id = ${TEST_SUPPLIER_ID}`;
      // The supplier credits the phone but its callback is lost: the order stays open, and only the supplier knows (under the attempt's request id).
      stack.simulator.configure({ callbackLossRate: 1 });
      const unheard = await submit(merchant.headers);
      await eventually(async () =>
        stack.simulator.charges().some((c) => c.requestId === `${unheard}-1` && c.state === 'SUCCESS')
          ? true
          : undefined,
      );
      stack.simulator.configure({ callbackLossRate: 0 });
      await eventually(async () => (Date.now() - lost.createdAt.getTime() > 1_000 ? true : undefined));

      const report = await reconcile(await stack.startApiWithSla(1));
      expect(report.status).toBe('COMPLETED');
      expect(report.mismatches.map((m: { kind: string; subject: string }) => [m.kind, m.subject]).sort()).toEqual(
        [
          ['refund-on-unfailed-order', succeeded],
          ['balance-differs-from-ledger', merchant.id], // the planted refund credited nobody's cached balance
          ['balance-differs-from-ledger', drifted.id],
          ['carrier-has-no-record', lost.id],
          ['carrier-decided-open-order', unheard],
          ['supplier-balance-differs-from-ledger', TEST_SUPPLIER_ID],
        ].sort(),
      );
      const refund = report.mismatches.find((m: { kind: string }) => m.kind === 'refund-on-unfailed-order');
      expect(refund).toMatchObject({
        orderId: succeeded,
        merchantId: merchant.id,
        detail: { status: 'SUCCEEDED', refunds: 1, refundFen: 3000 },
      });
      expect(await stack.prisma.reconciliationMismatch.count({ where: { runId: report.runId } })).toBe(6);
    },
  );

  it('runs daily from a Temporal Schedule, which an operator can also trigger', { timeout: 60_000 }, async () => {
    await ensureReconciliationSchedule(stack.env.client, 180);
    const schedule = stack.env.client.schedule.getHandle(RECONCILIATION_SCHEDULE_ID);
    await schedule.pause('paused by an operator');
    // Every worker start does this again: the schedule stays (paused), only its input follows the worker's SLA.
    await ensureReconciliationSchedule(stack.env.client, 120);
    const described = await schedule.describe();
    expect(described.state.paused).toBe(true);
    expect(described.action.args).toEqual([{ trigger: 'schedule', staleAfterSeconds: 120, settleSeconds: 300 }]);
    expect(described.spec).toMatchObject({
      calendars: [
        expect.objectContaining({ hour: [{ start: 3, end: 3, step: 1 }], minute: [{ start: 0, end: 0, step: 1 }] }),
      ],
      timezone: 'Asia/Shanghai',
    });
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'reconciliation' });

    await schedule.trigger();
    const runId = await eventually(
      async () => (await schedule.describe()).info.recentActions[0]?.action.workflow.workflowId,
    );
    expect(runId).toMatch(/^reconciliation-daily-/);
    await stack.env.client.workflow.getHandle(runId).result();
    const report = await untypedJson(await fetch(`${stack.apiUrl}/admin/reconciliations/${runId}`, { headers: admin }));
    expect(report).toMatchObject({ status: 'COMPLETED', trigger: 'schedule' });
    await schedule.delete();
  });
});
