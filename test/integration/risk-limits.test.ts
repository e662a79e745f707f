import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.ts';
import { applyMigrations } from '../../src/db/migrate.ts';
import { createPrisma, type Db } from '../../src/db/prisma.ts';
import { createRiskRepository, type RiskRepository } from '../../src/db/risk-repository.ts';
import { createTemporaryDatabase, type TemporaryDatabase } from '../../src/dev/temporary-database.ts';
import { untypedJson } from '../untyped-json.ts';
import {
  createTestMerchant,
  createTestOperator,
  eventually,
  listen,
  startStack,
  testDatabaseUrl,
  type Stack,
} from './harness.ts';

/**
 * The risk limits: blocked numbers and the per-number limits, on a database
 * migrated from scratch (the migration's own limits), over the real API as
 * its operators set them, and as every order submission meets them.
 */

describe('the risk repository on a freshly migrated database', () => {
  let database: TemporaryDatabase;
  let db: Db;
  let risk: RiskRepository;
  beforeAll(async () => {
    database = await createTemporaryDatabase(testDatabaseUrl(), 'recharge_risk');
    await applyMigrations(database.url);
    db = createPrisma(database.url);
    risk = createRiskRepository(db);
  });
  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  it('starts with the migration’s limits: 10 orders and 1000 yuan a number, set by nobody', async () => {
    expect(await risk.limits()).toEqual({
      perNumberDailyOrders: 10,
      perNumberDailyAmountYuan: 1000,
      updatedBy: null,
      updatedAt: expect.any(Date),
    });
    const changed = await risk.setLimits({ perNumberDailyAmountYuan: 3000 }, 'ada');
    expect(changed).toMatchObject({ perNumberDailyOrders: 10, perNumberDailyAmountYuan: 3000, updatedBy: 'ada' });
    expect(await risk.limits()).toEqual(changed);
  });

  it('blocks a number once when two operators block it at the same time; the other gets the first block', async () => {
    const results = await Promise.all(
      ['alice', 'bob'].map((blockedBy) => risk.block({ phone: '13700000001', reason: `by ${blockedBy}`, blockedBy })),
    );
    expect(results.filter((result) => result.created)).toHaveLength(1);
    const [first, second] = results;
    expect(first?.entry).toEqual(second?.entry);
    expect(await risk.unblock('13700000001')).toBe(true);
    expect(await risk.unblock('13700000001')).toBe(false);
  });

  it('pages newest first, numbers blocked in the same millisecond included, none twice', async () => {
    const at = (second: number) => new Date(Date.UTC(2026, 11, 5, 10, 0, second));
    const phones = ['13900000001', '13900000002', '13900000003', '13900000004', '13900000005'];
    await db.blockedNumber.createMany({
      data: phones.map((phone, i) => ({ phone, reason: 'test', blockedBy: 'alice', createdAt: at(i < 3 ? 0 : i) })),
    });
    const seen: string[] = [];
    let before: { createdAt: Date; phone: string } | undefined;
    for (;;) {
      const page = await risk.listBlocked({ limit: 2, before });
      seen.push(...page.map((entry) => entry.phone));
      const last = page.at(-1);
      if (page.length < 2 || !last) break;
      before = last;
    }
    expect(seen).toEqual([...phones].reverse());
  });
});

describe('the risk limits over the real API', () => {
  let stack: Stack;
  let api: Awaited<ReturnType<typeof listen>>;
  const logLines: Record<string, unknown>[] = [];
  beforeAll(async () => {
    stack = await startStack();
    const capture = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const deps = stack.apiDepsWith({ logger: pino({ level: 'info' }, capture) });
    api = await listen(createApp(deps));
  });
  afterAll(async () => {
    await api?.close();
    await stack?.stop();
  });

  const as = async (who: { headers: Record<string, string> }, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${api.url}${path}`, {
      method,
      headers: who.headers,
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: response.status === 204 ? undefined : await untypedJson(response) };
  };

  it('lets an operator block and unblock a number, shown in full to admins and masked in the log', async () => {
    const viewer = await createTestOperator(stack.prisma, 'vera', 'viewer');
    const operator = await createTestOperator(stack.prisma, 'otto', 'operator');
    const block = { phone: '13812345678', reason: 'fraud: stolen SIM, ticket 4471' };

    expect(await as(viewer, 'POST', '/admin/blocked-numbers', block)).toMatchObject({
      status: 403,
      body: { error: 'role_forbidden' },
    });
    const blocked = await as(operator, 'POST', '/admin/blocked-numbers', block);
    expect(blocked).toEqual({
      status: 201,
      body: { ...block, blockedBy: 'otto', createdAt: expect.stringMatching(/^2\d{3}-\d\d-\d\dT/) },
    });
    expect(await as(operator, 'POST', '/admin/blocked-numbers', { ...block, reason: 'again' })).toMatchObject({
      status: 409,
      body: {
        error: 'number_already_blocked',
        message: `13812345678 was blocked by otto at ${blocked.body.createdAt}: ${block.reason}`,
      },
    });
    expect(await as(viewer, 'GET', '/admin/blocked-numbers')).toEqual({
      status: 200,
      body: { blockedNumbers: [blocked.body], nextBefore: null },
    });
    expect(await as(operator, 'POST', '/admin/blocked-numbers', { ...block, phone: '1381234567' })).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', fields: [{ field: 'phone' }] },
    });

    expect(await as(operator, 'DELETE', '/admin/blocked-numbers/13812345678')).toEqual({ status: 204 });
    expect(await as(operator, 'DELETE', '/admin/blocked-numbers/13812345678')).toMatchObject({
      status: 404,
      body: { error: 'number_not_blocked' },
    });
    expect((await as(viewer, 'GET', '/admin/blocked-numbers')).body.blockedNumbers).toEqual([]);

    const logged = logLines.filter((line) => ['number blocked', 'number unblocked'].includes(line.msg as string));
    expect(logged).toEqual([
      expect.objectContaining({ msg: 'number blocked', phone: '138****5678', operator: 'otto' }),
      expect.objectContaining({ msg: 'number unblocked', phone: '138****5678', operator: 'otto' }),
    ]);
    expect(JSON.stringify(logLines)).not.toContain('13812345678');
  });

  it('lets only an admin change the limits, recorded with their name', async () => {
    const operator = await createTestOperator(stack.prisma, 'olaf', 'operator');
    const admin = await createTestOperator(stack.prisma, 'ada', 'admin');
    const change = { perNumberDailyOrders: 25, perNumberDailyAmountYuan: 5000 };

    expect(await as(operator, 'PATCH', '/admin/risk-limits', change)).toMatchObject({
      status: 403,
      body: { error: 'role_forbidden', message: expect.stringContaining('needs the admin role') },
    });
    expect(await as(admin, 'PATCH', '/admin/risk-limits', {})).toMatchObject({
      status: 400,
      body: { error: 'invalid_request' },
    });
    const changed = await as(admin, 'PATCH', '/admin/risk-limits', change);
    expect(changed).toEqual({ status: 200, body: { ...change, updatedBy: 'ada', updatedAt: expect.any(String) } });
    expect(await as(operator, 'GET', '/admin/risk-limits')).toEqual(changed);
    expect(logLines).toContainEqual(expect.objectContaining({ msg: 'risk limits changed', change, operator: 'ada' }));
  });

  const submit = (headers: Record<string, string>, phone: string, amount = 10, merchantOrderNo = `R-${randomUUID()}`) =>
    fetch(`${api.url}/orders`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ merchantOrderNo, phone, amount }),
    }).then(async (response) => ({ status: response.status, body: await untypedJson(response) }));
  const ordersOf = (phone: string) => stack.prisma.order.count({ where: { phone } });
  const debitsOf = (phone: string) =>
    stack.prisma.ledgerEntry.count({ where: { type: 'ORDER_DEBIT', order: { phone } } });

  it('refuses an order for a blocked number with 422, storing and debiting nothing, and counts the refusal', async () => {
    const operator = await createTestOperator(stack.prisma, 'oona', 'operator');
    const phone = '13912340001';
    await as(operator, 'POST', '/admin/blocked-numbers', { phone, reason: 'complaint: owner asked for no top-ups' });
    const balance = (await stack.merchants.balance(stack.merchant.id))?.balanceFen;
    expect(await submit(stack.merchant.headers, phone)).toMatchObject({
      status: 422,
      body: { error: 'number_blocked' },
    });
    expect((await stack.merchants.balance(stack.merchant.id))?.balanceFen).toBe(balance);
    expect(await ordersOf(phone)).toBe(0);
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    expect(metrics).toContain('orders_refused_total{reason="number_blocked"} 1');
    await as(operator, 'DELETE', `/admin/blocked-numbers/${phone}`);
    expect((await submit(stack.merchant.headers, phone)).status).toBe(202);
  });

  it('lets 30 concurrent submissions for a number with room for 10, from two merchants, through exactly 10 times', async () => {
    const admin = await createTestOperator(stack.prisma, 'adele', 'admin');
    await as(admin, 'PATCH', '/admin/risk-limits', { perNumberDailyOrders: 10, perNumberDailyAmountYuan: 1000 });
    const other = await createTestMerchant(stack.prisma);
    const phone = '13912340002';
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => submit((i % 2 === 0 ? stack.merchant : other).headers, phone)),
    );
    expect(answers.filter((a) => a.status === 202)).toHaveLength(10);
    const refused = answers.filter((a) => a.status === 422);
    expect(refused).toHaveLength(20);
    expect(refused[0]?.body).toMatchObject({
      error: 'number_limit_exceeded',
      message: expect.stringContaining('at most 10 orders and 1000 yuan are allowed'),
    });
    expect(await ordersOf(phone)).toBe(10);
    expect(await debitsOf(phone)).toBe(10);
  });

  it('lets exactly one of 20 merchants submitting at once take a number’s last room', async () => {
    const admin = await createTestOperator(stack.prisma, 'aiko', 'admin');
    await as(admin, 'PATCH', '/admin/risk-limits', { perNumberDailyOrders: 3, perNumberDailyAmountYuan: 1000 });
    const phone = '13912340004';
    for (let i = 0; i < 2; i++) expect((await submit(stack.merchant.headers, phone)).status).toBe(202);
    const merchants = await Promise.all(Array.from({ length: 20 }, () => createTestMerchant(stack.prisma)));
    const answers = await Promise.all(merchants.map((merchant) => submit(merchant.headers, phone)));
    expect(answers.map((a) => a.status).sort()).toEqual([202, ...Array.from({ length: 19 }, () => 422)]);
    expect(await ordersOf(phone)).toBe(3);
  });

  it('counts the yuan of a number’s last 24 hours too, but not its orders that ended FAILED', async () => {
    const admin = await createTestOperator(stack.prisma, 'adam', 'admin');
    await as(admin, 'PATCH', '/admin/risk-limits', { perNumberDailyOrders: 100, perNumberDailyAmountYuan: 100 });
    const phone = '13912340003';
    stack.simulator.configure({ refusalRate: 1 });
    try {
      const refusedBySupplier = await submit(stack.merchant.headers, phone, 100);
      expect(refusedBySupplier.status).toBe(202);
      await eventually(async () =>
        (await stack.orders.findById(refusedBySupplier.body.orderId))?.status === 'FAILED' ? true : undefined,
      );
    } finally {
      stack.simulator.configure({ refusalRate: 0 });
    }
    const first = await submit(stack.merchant.headers, phone, 50);
    expect(first.status).toBe(202);
    expect((await submit(stack.merchant.headers, phone, 50)).status).toBe(202);
    expect(await submit(stack.merchant.headers, phone, 10)).toMatchObject({
      status: 422,
      body: {
        error: 'number_limit_exceeded',
        message: expect.stringContaining('This number has 2 orders for 100 yuan in the last 24 hours'),
      },
    });
    // A merchant's retry of an accepted order is a repeat, limit or not, and uses no room.
    const repeat = await submit(stack.merchant.headers, phone, 50, first.body.merchantOrderNo);
    expect(repeat).toMatchObject({ status: 200, body: { orderId: first.body.orderId } });
    expect(await ordersOf(phone)).toBe(3);
    // A day later (the orders moved back 25 hours), the number has room again.
    await stack.prisma
      .$executeRaw`UPDATE orders SET created_at = created_at - interval '25 hours' WHERE phone = ${phone}`;
    expect((await submit(stack.merchant.headers, phone, 100)).status).toBe(202);
  });
});
