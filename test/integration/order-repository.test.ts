import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLedgerRepository } from '../../src/db/ledger-repository.ts';
import { applyMigrations } from '../../src/db/migrate.ts';
import { createOrderRepository, type OrderRepository } from '../../src/db/order-repository.ts';
import { createPrisma, type Db } from '../../src/db/prisma.ts';
import { createTemporaryDatabase } from '../../src/dev/temporary-database.ts';
import { OrderStatus } from '../../src/shared/order-status.ts';
import { OrderEvent } from '../../src/shared/order-events.ts';
import {
  FIXTURE_ORDER,
  createTestDatabase,
  createTestMerchant,
  insertOrder,
  testDatabaseUrl,
  type TestMerchant,
} from './harness.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let prisma: Db;
let orders: OrderRepository;
let merchant: TestMerchant;
beforeAll(async () => {
  database = await createTestDatabase();
  prisma = createPrisma(database.url);
  orders = createOrderRepository(prisma);
  merchant = await createTestMerchant(prisma);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await database?.drop();
});

const newOrder = () => insertOrder(orders, merchant.id);

describe('order view writes on PostgreSQL', () => {
  it('records migrations as Prisma Migrate does, and applies each once', async () => {
    expect(await applyMigrations(database.url)).toEqual([]);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const { rows } = await client.query(
      'SELECT migration_name, checksum, finished_at FROM _prisma_migrations ORDER BY migration_name',
    );
    await client.end();
    const onDisk = (await readdir(new URL('../../prisma/migrations/', import.meta.url), { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    expect(onDisk.length).toBeGreaterThanOrEqual(2);
    expect(rows).toEqual(
      onDisk.map((name) =>
        expect.objectContaining({
          migration_name: name,
          checksum: expect.stringMatching(/^[0-9a-f]{64}$/),
          finished_at: expect.any(Date),
        }),
      ),
    );
  });

  it('upgrades a database holding orders from before merchant accounts: they go to a merchant nobody can sign in as, unbilled', async () => {
    const old = await createTemporaryDatabase(testDatabaseUrl(), 'recharge_upgrade');
    try {
      await applyMigrations(old.url, { upTo: '20261123130000_operations' });
      const client = new pg.Client({ connectionString: old.url });
      await client.connect();
      await client.query(
        `INSERT INTO orders (id, merchant_order_no, phone, carrier, amount_yuan, status) VALUES ('old-1', 'M-OLD', '13812345678', 'CMCC', 50, 'FAILED')`,
      );
      await client.end();
      expect(await applyMigrations(old.url)).toEqual([
        '20261129120000_merchants_ledger',
        '20261203120000_job_leases',
        '20261203140000_order_workflow_started',
        '20261203170000_suppliers',
        '20261203190000_supplier_call_leases',
        '20261203210000_notification_backlog_index',
        '20261205140000_merchant_rate_limits',
        '20261205170000_merchant_api_keys',
        '20261205180000_operators_and_callback_window',
        '20261205200000_segments_speeds_risk',
        '20261205210000_merchant_credit',
        '20261205220000_reversals',
        '20261205221000_merchant_statements',
        '20261205222000_supplier_bills',
      ]);
      const upgraded = createPrisma(old.url);
      try {
        expect(await upgraded.order.findUniqueOrThrow({ where: { id: 'old-1' } })).toMatchObject({
          merchantId: 'legacy',
          costFen: null,
        });
        expect(await upgraded.merchant.findUniqueOrThrow({ where: { id: 'legacy' } })).toMatchObject({
          apiKeyHash: 'none: no key can match',
          balanceFen: 0n,
          callbackSecret: expect.stringMatching(/^[0-9a-f]{64}$/),
        });
        expect(await createLedgerRepository(upgraded).refundOrder('old-1')).toEqual({
          outcome: 'not-refundable',
          reason: 'the order was never debited',
        });
      } finally {
        await upgraded.$disconnect();
      }
    } finally {
      await old.drop();
    }
  });

  it('returns a new order exactly as it reads back, with its submitted event', async () => {
    const order = await insertOrder(orders, merchant.id, { notifyUrl: 'https://merchant.example/notify' });
    expect(order).toEqual(await orders.findById(order.id));
    expect(order).toMatchObject({
      status: OrderStatus.PENDING,
      notifyUrl: 'https://merchant.example/notify',
      notifyAttempts: 0,
      createdAt: expect.any(Date),
    });
    expect(
      (await orders.findStory(order.id).then((story) => story?.history ?? [])).map((e) => [e.key, e.detail]),
    ).toEqual([['submitted', { amountYuan: 50, carrier: 'CMCC', speed: 'fast', costFen: 5000 }]]);
  });

  it('sets the fields a transition names and keeps the others', async () => {
    const order = await newOrder();
    await orders.transition({
      orderId: order.id,
      to: OrderStatus.PROCESSING,
      fields: { carrierOrderId: 'C-1' },
      event: { key: 'attempt:1:1', type: 'carrier-accepted' },
    });
    const finishedAt = new Date('2026-01-01T00:01:00Z');
    await orders.transition({
      orderId: order.id,
      to: OrderStatus.FAILED,
      fields: { finishedAt, failureReason: 'number not in service', resolvedBy: 'carrier-callback' },
      event: { key: 'workflow:1', type: 'finished', detail: { n: 1 } },
    });
    const row = await orders.findById(order.id);
    expect(row).toMatchObject({
      status: OrderStatus.FAILED,
      carrierOrderId: 'C-1',
      finishedAt,
      failureReason: 'number not in service',
      resolvedBy: 'carrier-callback',
      escalatedAt: null,
    });
    expect(
      (await orders.findStory(order.id).then((story) => story?.history ?? [])).map((e) => [e.key, e.detail]),
    ).toEqual([
      ['submitted', expect.anything()],
      ['attempt:1:1', {}],
      ['workflow:1', { n: 1 }],
    ]);
  });

  it('stores a callback with its event and the order status (and who decided it) it found, and nothing for an unknown order', async () => {
    const order = await newOrder();
    const recorded = await orders.recordCallback(order.id, '{"raw":true}', 'sig', { status: 'SUCCESS' });
    expect(recorded).toEqual({
      callbackId: expect.stringMatching(/^\d+$/),
      orderStatus: OrderStatus.PENDING,
      resolvedBy: null,
      supplierId: null,
    });
    expect(
      (await orders.findStory(order.id).then((story) => story?.history ?? [])).map((e) => [e.key, e.detail]),
    ).toEqual([
      ['submitted', expect.anything()],
      [`callback:${recorded?.callbackId}`, { callbackId: recorded?.callbackId, status: 'SUCCESS' }],
    ]);
    expect(await orders.recordCallback('no-such-order', '{}', 'sig', {})).toBeUndefined();
    expect(await prisma.carrierCallback.count({ where: { orderId: 'no-such-order' } })).toBe(0);
  });

  it("records a supplier's acceptance of a PENDING order once, and never after that supplier reported the attempt FAILED", async () => {
    const acceptance = (orderId: string, requestId: string) => ({
      orderId,
      requestId,
      supplierId: 'sim-a',
      carrierOrderId: 'C-1',
      event: { key: 'accepted:1:1', type: OrderEvent.CARRIER_ACCEPTED, detail: { requestId } },
    });
    const order = await newOrder();
    expect(await orders.recordAcceptance(acceptance(order.id, `${order.id}-1`))).toBe(true);
    expect(await orders.findById(order.id)).toMatchObject({
      status: 'PROCESSING',
      supplierId: 'sim-a',
      carrierOrderId: 'C-1',
    });
    // Not PENDING any more: nothing moves, nothing is recorded twice.
    expect(await orders.recordAcceptance(acceptance(order.id, `${order.id}-1`))).toBe(false);

    const refused = await newOrder();
    await orders.recordCallback(refused.id, '{}', 'sig', { status: 'FAILED', requestId: `${refused.id}-1` });
    expect(await orders.recordAcceptance(acceptance(refused.id, `${refused.id}-1`))).toBe(false);
    expect(await orders.findById(refused.id)).toMatchObject({ status: 'PENDING', supplierId: null });
    const events = (await orders.findStory(refused.id))?.history.map((event) => event.type);
    expect(events).not.toContain(OrderEvent.CARRIER_ACCEPTED);
    // A FAILED result of another attempt does not hold this one's acceptance back.
    expect(await orders.recordAcceptance(acceptance(refused.id, `${refused.id}-2`))).toBe(true);
  });

  it('never moves a final order backwards, whatever write comes late', async () => {
    const order = await newOrder();
    expect(
      await orders.transition({
        orderId: order.id,
        to: OrderStatus.SUCCEEDED,
        event: { key: 'workflow:1', type: 'finished' },
      }),
    ).toBe(true);
    for (const stale of [OrderStatus.PROCESSING, OrderStatus.UNKNOWN, OrderStatus.ESCALATED, OrderStatus.FAILED]) {
      expect(
        await orders.transition({
          orderId: order.id,
          to: stale,
          event: { key: `late:${stale}`, type: OrderEvent.FINISHED },
        }),
      ).toBe(false);
    }
    expect((await orders.findById(order.id))?.status).toBe(OrderStatus.SUCCEEDED);
  });

  it('stores a retried write once (same event key)', async () => {
    const order = await newOrder();
    const write = {
      orderId: order.id,
      to: OrderStatus.ESCALATED,
      fields: { escalatedAt: new Date('2026-01-01T00:03:00Z') },
      event: { key: 'workflow:1', type: OrderEvent.ESCALATED },
    };
    expect(await orders.transition(write)).toBe(true);
    expect(await orders.transition(write)).toBe(false);
    const events = await orders.findStory(order.id).then((story) => story?.history ?? []);
    expect(events.map((e) => e.key)).toEqual(['submitted', 'workflow:1']);
    expect((await orders.findById(order.id))?.escalatedAt?.toISOString()).toBe('2026-01-01T00:03:00.000Z');
  });

  it('creates one row for concurrent submissions of one merchant order number', async () => {
    const input = {
      merchantId: merchant.id,
      merchantOrderNo: `M-${randomUUID()}`,
      ...FIXTURE_ORDER,
    };
    const results = await Promise.all(Array.from({ length: 20 }, () => orders.createOrder(input)));
    expect(results.filter((r) => r.outcome === 'created')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'exists')).toHaveLength(19);
    const ids = new Set(results.map((r) => ('order' in r ? r.order.id : undefined)));
    expect(ids.size).toBe(1);
    expect(await orders.findStory([...ids][0]!).then((story) => story?.history ?? [])).toHaveLength(1);
  });
});
