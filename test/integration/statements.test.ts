import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASH_ACCOUNT, ADJUSTMENTS_ACCOUNT, merchantAccount } from '../../src/db/ledger-accounts.ts';
import type { Db } from '../../src/db/prisma.ts';
import { createStatementRepository } from '../../src/db/statement-repository.ts';
import { TASK_QUEUE } from '../../src/shared/order-workflow.ts';
import { STATEMENT_ISSUING_WORKFLOW_TYPE, STATEMENT_SCHEDULE_ID } from '../../src/shared/statements.ts';
import { addDays } from '../../src/shared/calendar-days.ts';
import { localDateOf, startOfLocalDay } from '../../src/statements/local-day.ts';
import { checkStatements } from '../../src/statements/statement-check.ts';
import { createStatementService } from '../../src/statements/statement-service.ts';
import { ensureStatementSchedule } from '../../src/temporal/statement-schedule.ts';
import { ADMIN_TOKEN, createTestMerchant, eventually, listen, startStack, type Stack } from './harness.ts';

const DAY_MS = 86_400_000;
const ZONE = 'Asia/Shanghai';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
const alerts: Record<string, unknown>[] = [];
let stack: Stack;
let webhook: Awaited<ReturnType<typeof listen>>;

beforeAll(async () => {
  webhook = await listen(
    new Hono().post('/', async (c) => {
      alerts.push(await c.req.json());
      return c.body(null, 204);
    }),
  );
  stack = await startStack({ alertWebhookUrl: webhook.url });
});
afterAll(async () => {
  await stack?.stop();
  await webhook?.close();
});

async function call(path: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}) {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: init.headers ?? {},
    ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  const json = (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : null;
  return { status: response.status, type: response.headers.get('content-type'), text, body: json };
}

/** A merchant created `daysAgo` local days ago (its first statement's day), with no balance. */
async function merchantSince(daysAgo: number) {
  const merchant = await createTestMerchant(stack.prisma, { balanceFen: 0 });
  await stack.prisma.merchant.update({
    where: { id: merchant.id },
    data: { createdAt: new Date(Date.now() - daysAgo * DAY_MS) },
  });
  return merchant;
}

/** Appends a top-up (amount > 0) or an adjustment with a chosen created_at, as the ledger does (the merchant's row locked). */
async function entryAt(db: Db, merchantId: string, amountFen: number, at: Date) {
  const [type, debit, credit] =
    amountFen > 0
      ? ['TOP_UP', CASH_ACCOUNT, merchantAccount(merchantId)]
      : ['ADJUSTMENT', merchantAccount(merchantId), ADJUSTMENTS_ACCOUNT];
  await db.$executeRaw`
    WITH payer AS (SELECT id, balance_fen FROM merchants WHERE id = ${merchantId} FOR UPDATE),
    entry AS (
      INSERT INTO ledger_entries (merchant_id, type, debit_account, credit_account, amount_fen, balance_after_fen, request_id, operator, note, created_at)
      SELECT id, ${type}::"LedgerEntryType", ${debit}, ${credit}, ${Math.abs(amountFen)}, balance_fen + ${amountFen}, ${randomUUID()}, 'test', 'back-dated', ${at}
      FROM payer RETURNING merchant_id
    )
    UPDATE merchants SET balance_fen = balance_fen + ${amountFen} FROM entry WHERE merchants.id = entry.merchant_id`;
}

/** An instant of a local day in the zone: `date` at hh:mm:ss.mmm local time. */
const localTime = (date: string, time: string, zone = ZONE) =>
  new Date(startOfLocalDay(zone, date).getTime() + Date.parse(`1970-01-01T${time}Z`));

const today = () => localDateOf(ZONE, new Date());
const amounts = (statement: { lines: { amountFen: number }[] }) => statement.lines.map((line) => line.amountFen);
const statementJson = (merchant: { headers: Record<string, string> }, date: string, query = '') =>
  call(`/statements/${date}${query}`, { headers: { ...merchant.headers, accept: 'application/json' } });

describe('daily statements', () => {
  it('puts each entry on one local day: opening + lines = closing, and a day opens where the day before closed', async () => {
    const merchant = await merchantSince(3);
    const [d1, d2] = [addDays(today(), -2), addDays(today(), -1)];
    await entryAt(stack.prisma, merchant.id, 100_000, localTime(d1, '10:00:00.000'));
    // Made after midnight but appended before the last entry of d1 (a smaller id, a later time): it goes with d1.
    await entryAt(stack.prisma, merchant.id, 2_000, localTime(d2, '00:00:00.100'));
    await entryAt(stack.prisma, merchant.id, -500, localTime(d1, '23:59:59.900'));
    await entryAt(stack.prisma, merchant.id, -1_500, localTime(d2, '12:00:00.000'));

    const first = await statementJson(merchant, d1);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      merchantId: merchant.id,
      date: d1,
      timeZone: ZONE,
      openingBalanceFen: 0,
      closingBalanceFen: 101_500,
      status: 'issued',
    });
    expect(amounts(first.body)).toEqual([100_000, 2_000, -500]);
    expect(first.body.lines[0]).toMatchObject({ time: `${d1}T10:00:00.000+08:00`, type: 'TOP_UP', orderId: null });
    expect(first.body.lines[2]).toMatchObject({ time: `${d1}T23:59:59.900+08:00`, type: 'ADJUSTMENT' });
    const second = await statementJson(merchant, d2);
    expect(second.body).toMatchObject({ openingBalanceFen: 101_500, closingBalanceFen: 100_000 });
    expect(amounts(second.body)).toEqual([-1_500]);

    // Real orders today: a partial statement shows them, opening at yesterday's close.
    await call('/orders', {
      method: 'POST',
      headers: { ...merchant.headers, 'content-type': 'application/json' },
      body: { merchantOrderNo: 'S-1', phone: '13812345678', amount: 50 },
    });
    const partial = await statementJson(merchant, today(), '?partial=true');
    expect(partial.body).toMatchObject({ status: 'partial', openingBalanceFen: 100_000, closingBalanceFen: 95_000 });
    expect(partial.body.lines).toEqual([
      expect.objectContaining({
        type: 'ORDER_DEBIT',
        merchantOrderNo: 'S-1',
        amountFen: -5_000,
        balanceAfterFen: 95_000,
      }),
    ]);
    // Two days on, today is over: its statement closes at the balance, and every day adds up.
    const later = createStatementService({
      statements: createStatementRepository(stack.prisma),
      clock: () => new Date(Date.now() + 2 * DAY_MS),
    });
    const closed = await later.statementOf(merchant.id, today());
    expect(closed).toMatchObject({ kind: 'statement', statement: { status: 'issued', closingBalanceFen: 95_000 } });
    expect(await checkStatements(stack.prisma, { from: addDays(today(), -5), to: addDays(today(), 1) })).toMatchObject({
      violations: [],
    });
  });

  it('answers CSV by default, the same as JSON on request, for the merchant and for operators', async () => {
    const merchant = await merchantSince(2);
    const day = addDays(today(), -1);
    await entryAt(stack.prisma, merchant.id, 30_000, localTime(day, '09:30:00.000'));
    const csv = await call(`/statements/${day}`, { headers: merchant.headers });
    expect(csv.status).toBe(200);
    expect(csv.type).toMatch(/^text\/csv/);
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines.slice(0, 5)).toEqual([
      `# merchant_id,${merchant.id}`,
      `# date,${day}`,
      `# time_zone,${ZONE}`,
      '# opening_balance_fen,0',
      '# closing_balance_fen,30000',
    ]);
    expect(lines[7]).toBe('time,entry_id,type,order_id,merchant_order_no,amount_fen,balance_after_fen');
    expect(lines[8]).toMatch(new RegExp(`^${day}T09:30:00\\.000\\+08:00,\\d+,TOP_UP,,,30000,30000$`));
    expect(lines).toHaveLength(9);
    const own = await statementJson(merchant, day);
    const asOperator = await call(`/admin/merchants/${merchant.id}/statements/${day}`, {
      headers: { ...admin, accept: 'application/json' },
    });
    expect(asOperator.body).toEqual(own.body);
    expect((await call(`/admin/merchants/${randomUUID()}/statements/${day}`, { headers: admin })).status).toBe(404);
  });

  it('refuses a day not over (unless partial), a day not begun and what is not a date; a day before the merchant is empty', async () => {
    const merchant = await merchantSince(1);
    expect((await statementJson(merchant, today())).body).toMatchObject({ error: 'day_not_closed' });
    expect((await statementJson(merchant, today())).status).toBe(409);
    expect((await statementJson(merchant, addDays(today(), 2), '?partial=true')).body).toMatchObject({
      error: 'day_not_started',
    });
    for (const date of ['2026-02-30', '20261201', 'yesterday'])
      expect((await statementJson(merchant, date)).status).toBe(400);
    expect((await statementJson(merchant, today(), '?partial=maybe')).status).toBe(400);
    expect((await statementJson(merchant, '2020-01-01')).body).toMatchObject({
      status: 'before-first-day',
      openingBalanceFen: 0,
      closingBalanceFen: 0,
      lines: [],
    });
  });

  it('never changes an issued statement: a back-dated entry goes on the next one, and the table refuses changes', async () => {
    const merchant = await merchantSince(2);
    const day = addDays(today(), -1);
    await entryAt(stack.prisma, merchant.id, 10_000, localTime(day, '08:00:00.000'));
    const issued = await statementJson(merchant, day);
    await entryAt(stack.prisma, merchant.id, -700, localTime(day, '09:00:00.000'));
    expect((await statementJson(merchant, day)).body).toEqual(issued.body);
    const next = await statementJson(merchant, today(), '?partial=true');
    expect(next.body).toMatchObject({ openingBalanceFen: 10_000, closingBalanceFen: 9_300 });
    expect(next.body.lines[0].time).toBe(`${day}T09:00:00.000+08:00`);
    await expect(
      stack.prisma
        .$executeRaw`UPDATE merchant_statements SET closing_balance_fen = 0 WHERE merchant_id = ${merchant.id}`,
    ).rejects.toThrow(/append-only/);
    await expect(
      stack.prisma.$executeRaw`DELETE FROM merchant_statements WHERE merchant_id = ${merchant.id}`,
    ).rejects.toThrow(/append-only/);
  });

  it('issues every closed day by the schedule’s workflow, once', async () => {
    const merchant = await merchantSince(3);
    await entryAt(stack.prisma, merchant.id, 5_000, localTime(addDays(today(), -2), '12:00:00.000'));
    const run = () =>
      stack.env.client.workflow.execute(STATEMENT_ISSUING_WORKFLOW_TYPE, {
        taskQueue: TASK_QUEUE,
        workflowId: `statements-test-${randomUUID()}`,
      });
    const report = (await run()) as { merchants: number; issued: number };
    expect(report.issued).toBeGreaterThanOrEqual(3);
    const stored = await stack.prisma.merchantStatement.findMany({
      where: { merchantId: merchant.id },
      orderBy: { date: 'asc' },
    });
    expect(stored.map((s) => [s.date.toISOString().slice(0, 10), s.closingBalanceFen, s.issuedBy])).toEqual([
      [addDays(today(), -3), 0n, 'schedule'],
      [addDays(today(), -2), 5_000n, 'schedule'],
      [addDays(today(), -1), 5_000n, 'schedule'],
    ]);
    expect(await run()).toMatchObject({ issued: 0 });
    await ensureStatementSchedule(stack.env.client);
    await ensureStatementSchedule(stack.env.client);
    const schedule = await stack.env.client.schedule.getHandle(STATEMENT_SCHEDULE_ID).describe();
    expect(schedule.action).toMatchObject({ workflowType: STATEMENT_ISSUING_WORKFLOW_TYPE, taskQueue: TASK_QUEUE });
  });

  it("keeps a merchant's time zone: validated, shown, and its days end at its own midnight", async () => {
    const created = await call('/admin/merchants', {
      method: 'POST',
      headers: admin,
      body: { name: 'Zoned', rates: { CMCC: 1, CUCC: 1, CTCC: 1 }, timeZone: 'america/new_york' },
    });
    expect(created.body).toMatchObject({ timeZone: 'America/New_York' });
    const { merchantId } = created.body as { merchantId: string };
    for (const timeZone of ['Mars/Olympus_Mons', '+08:00', ''])
      expect(
        (await call(`/admin/merchants/${merchantId}`, { method: 'PATCH', headers: admin, body: { timeZone } })).status,
      ).toBe(400);
    const changed = await call(`/admin/merchants/${merchantId}`, {
      method: 'PATCH',
      headers: admin,
      body: { timeZone: 'UTC', lowBalanceFen: 1_000 },
    });
    expect(changed.body).toMatchObject({ timeZone: 'UTC', lowBalanceFen: 1_000 });
    expect((await call(`/admin/merchants/${merchantId}`, { headers: admin })).body).toMatchObject({ timeZone: 'UTC' });
    const merchant = await merchantSince(2);
    await stack.prisma.merchant.update({ where: { id: merchant.id }, data: { timeZone: 'America/New_York' } });
    const day = addDays(localDateOf('America/New_York', new Date()), -1);
    await entryAt(stack.prisma, merchant.id, 800, localTime(day, '23:30:00.000', 'America/New_York'));
    const statement = await statementJson(merchant, day);
    expect(statement.body).toMatchObject({ timeZone: 'America/New_York', closingBalanceFen: 800 });
    expect(statement.body.lines[0].time).toMatch(new RegExp(`^${day}T23:30:00\\.000-0[45]:00$`));
  });
});

describe("merchants' low-balance alert", () => {
  it('alerts once when an order takes the available balance below the threshold, and counts it on the dashboard', async () => {
    const merchant = await createTestMerchant(stack.prisma, { balanceFen: 20_000 });
    await call(`/admin/merchants/${merchant.id}`, { method: 'PATCH', headers: admin, body: { lowBalanceFen: 12_000 } });
    const order = (n: number) =>
      call('/orders', {
        method: 'POST',
        headers: { ...merchant.headers, 'content-type': 'application/json' },
        body: { merchantOrderNo: `LB-${n}`, phone: '13812345678', amount: 50 },
      });
    expect((await order(1)).status).toBe(202); // 15,000 left: above
    expect((await order(2)).status).toBe(202); // 10,000: below, the alert
    expect((await order(3)).status).toBe(202); // 5,000: still below, no second alert
    const mine = () =>
      alerts.filter((alert) => alert.type === 'merchant-low-balance' && alert.merchantId === merchant.id);
    await eventually(async () => (mine().length > 0 ? true : undefined));
    expect(mine()).toEqual([
      {
        type: 'merchant-low-balance',
        merchantId: merchant.id,
        balanceFen: 10_000,
        creditLimitFen: 0,
        availableFen: 10_000,
        lowBalanceFen: 12_000,
      },
    ]);
    const metrics = await (await fetch(`${stack.apiUrl}/metrics`)).text();
    expect(metrics).toMatch(/^merchants_below_low_balance [1-9]/m);
  });
});
