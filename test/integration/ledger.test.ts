import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLedgerRepository, type LedgerRepository } from '../../src/db/ledger-repository.ts';
import { createOrderRepository, type OrderRepository } from '../../src/db/order-repository.ts';
import { createPrisma, type Db } from '../../src/db/prisma.ts';
import { createReconciliationRepository } from '../../src/db/reconciliation-repository.ts';
import { OrderStatus } from '../../src/shared/order-status.ts';
import { FIXTURE_ORDER, createTestDatabase, createTestMerchant, insertOrder } from './harness.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let prisma: Db;
let orders: OrderRepository;
let ledger: LedgerRepository;
beforeAll(async () => {
  database = await createTestDatabase();
  prisma = createPrisma(database.url);
  orders = createOrderRepository(prisma);
  ledger = createLedgerRepository(prisma);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await database?.drop();
});

const balanceOf = async (merchantId: string) =>
  (await prisma.merchant.findUniqueOrThrow({ where: { id: merchantId } })).balanceFen;
const fail = (orderId: string) =>
  orders.transition({ orderId, to: OrderStatus.FAILED, event: { key: 'workflow:1', type: 'finished' } });

describe('merchant ledger on PostgreSQL', () => {
  it('credits a top-up once per requestId, answers a repeat as the first time, and refuses a reused requestId', async () => {
    const merchant = await createTestMerchant(prisma, { balanceFen: 0 });
    const topUp = {
      merchantId: merchant.id,
      type: 'TOP_UP' as const,
      amountFen: 10_000,
      requestId: 'bank-ref-1',
      operator: 'alice',
      note: 'wire',
    };
    const first = await ledger.postAdminEntry(topUp);
    expect(first).toMatchObject({
      outcome: 'posted',
      entry: {
        amountFen: 10_000n,
        balanceAfterFen: 10_000n,
        debitAccount: 'platform:cash',
        creditAccount: `merchant:${merchant.id}`,
      },
    });
    const repeats = await Promise.all([1, 2, 3].map(() => ledger.postAdminEntry(topUp)));
    expect(repeats.map((r) => r.outcome)).toEqual(['repeat', 'repeat', 'repeat']);
    expect(repeats.map((r) => 'entry' in r && r.entry.id)).toEqual(
      [1, 2, 3].map(() => (first as { entry: { id: bigint } }).entry.id),
    );
    expect((await ledger.postAdminEntry({ ...topUp, amountFen: 20_000 })).outcome).toBe('conflict');
    expect(await balanceOf(merchant.id)).toBe(10_000n);
  });

  it('adjusts either way but never below zero', async () => {
    const merchant = await createTestMerchant(prisma, { balanceFen: 1_000 });
    const adjust = (amountFen: number, requestId: string) =>
      ledger.postAdminEntry({
        merchantId: merchant.id,
        type: 'ADJUSTMENT',
        amountFen,
        requestId,
        operator: 'bob',
        note: 'correction',
      });
    expect(await adjust(-1_001, 'adj-1')).toEqual({ outcome: 'insufficient-balance', balanceFen: 1_000n });
    expect(await adjust(-400, 'adj-2')).toMatchObject({
      outcome: 'posted',
      entry: { debitAccount: `merchant:${merchant.id}`, creditAccount: 'platform:adjustments', amountFen: 400n },
    });
    expect(await adjust(50, 'adj-3')).toMatchObject({ outcome: 'posted', entry: { balanceAfterFen: 650n } });
    expect(await balanceOf(merchant.id)).toBe(650n);
    expect(
      await ledger.postAdminEntry({
        merchantId: 'no-such-merchant',
        type: 'TOP_UP',
        amountFen: 1,
        requestId: 'x',
        operator: 'bob',
        note: 'x',
      }),
    ).toEqual({
      outcome: 'no-merchant',
    });
  });

  it('accepts orders while the balance covers them and refuses the rest, storing nothing for a refused one', async () => {
    const merchant = await createTestMerchant(prisma, { balanceFen: 12_000 });
    const accept = (merchantOrderNo: string) =>
      orders.createOrder({
        merchantId: merchant.id,
        merchantOrderNo,
        ...FIXTURE_ORDER,
      });
    expect((await accept('A')).outcome).toBe('created');
    expect((await accept('B')).outcome).toBe('created');
    expect(await accept('C')).toEqual({ outcome: 'insufficient-balance', balanceFen: 2_000n, creditLimitFen: 0n });
    expect((await accept('A')).outcome).toBe('exists'); // a repeat is no new charge, whatever the balance
    expect(await prisma.order.count({ where: { merchantId: merchant.id } })).toBe(2);
    const debits = await prisma.ledgerEntry.findMany({
      where: { merchantId: merchant.id, type: 'ORDER_DEBIT' },
      orderBy: { id: 'asc' },
    });
    expect(debits.map((d) => [d.amountFen, d.balanceAfterFen])).toEqual([
      [5_000n, 7_000n],
      [5_000n, 2_000n],
    ]);
  });

  it('refunds a FAILED order exactly once, however many times and however concurrently it is asked', async () => {
    const merchant = await createTestMerchant(prisma, { balanceFen: 10_000 });
    const order = await insertOrder(orders, merchant.id, { costFen: 4_321 });
    expect(await ledger.refundOrder(order.id)).toEqual({
      outcome: 'not-refundable',
      reason: 'the order is PENDING, not FAILED',
    });
    await fail(order.id);
    const results = await Promise.all(Array.from({ length: 10 }, () => ledger.refundOrder(order.id)));
    expect(results.filter((r) => r.outcome === 'refunded')).toEqual([{ outcome: 'refunded', amountFen: 4_321 }]);
    expect(results.filter((r) => r.outcome === 'already-refunded')).toHaveLength(9);
    expect(await ledger.refundOrder(order.id)).toEqual({ outcome: 'already-refunded', amountFen: 4_321 });
    expect(await balanceOf(merchant.id)).toBe(10_000n);
    expect((await ledger.listForOrder(order.id)).map((e) => [e.type, e.amountFen])).toEqual([
      ['ORDER_DEBIT', 4_321n],
      ['ORDER_REFUND', 4_321n],
    ]);
    expect(
      (await orders.findStory(order.id).then((story) => story?.history ?? [])).filter((e) => e.type === 'refunded'),
    ).toHaveLength(1);
  });

  it('keeps the ledger append-only and the balance from going below minus the credit limit, whatever SQL runs', async () => {
    const merchant = await createTestMerchant(prisma, { balanceFen: 100 });
    await expect(
      prisma.$executeRaw`UPDATE ledger_entries SET amount_fen = 1 WHERE merchant_id = ${merchant.id}`,
    ).rejects.toThrow(/append-only/);
    await expect(prisma.$executeRaw`DELETE FROM ledger_entries WHERE merchant_id = ${merchant.id}`).rejects.toThrow(
      /append-only/,
    );
    await expect(prisma.$executeRaw`UPDATE merchants SET balance_fen = -1 WHERE id = ${merchant.id}`).rejects.toThrow(
      /merchants_balance_fen_within_credit/,
    );
    expect(await balanceOf(merchant.id)).toBe(100n);
    await prisma.$executeRaw`UPDATE merchants SET credit_limit_fen = 500 WHERE id = ${merchant.id}`;
    await expect(prisma.$executeRaw`UPDATE merchants SET balance_fen = -501 WHERE id = ${merchant.id}`).rejects.toThrow(
      /merchants_balance_fen_within_credit/,
    );
  });

  it('gives two merchants the same merchantOrderNo as two independent orders', async () => {
    const [a, b] = await Promise.all([createTestMerchant(prisma), createTestMerchant(prisma)]);
    const first = await insertOrder(orders, a.id, { merchantOrderNo: 'SAME-1' });
    const second = await insertOrder(orders, b.id, { merchantOrderNo: 'SAME-1' });
    expect(first.id).not.toBe(second.id);
    expect((await orders.findByMerchantOrderNo(a.id, 'SAME-1'))?.id).toBe(first.id);
    expect((await orders.findByMerchantOrderNo(b.id, 'SAME-1'))?.id).toBe(second.id);
  });

  it('keeps every cached balance equal to the sum of its entries', async () => {
    const sums = await createReconciliationRepository(prisma).balancesWithLedgerSums();
    expect(sums.length).toBe(await prisma.merchant.count());
    for (const { merchantId, balanceFen, ledgerFen } of sums) expect(ledgerFen, merchantId).toBe(balanceFen);
  });
});
