/**
 * CPU and time per order acceptance: a Prisma interactive transaction (lock
 * the merchant, insert the order, debit the balance, append the ledger entry
 * and the `submitted` event) against the repository's single statement that
 * does the same and checks the number's risk limits besides.
 *   node --import tsx bench/order-insert-cost.ts [postgresql://server/db]
 * Creates and drops a database of its own on that server (default: the local one).
 */
import { randomUUID } from 'node:crypto';
import { applyMigrations } from '../src/db/migrate.ts';
import { createOrderRepository } from '../src/db/order-repository.ts';
import { SALES_ACCOUNT, merchantAccount } from '../src/db/ledger-accounts.ts';
import { createPrisma } from '../src/db/prisma.ts';
import { createTemporaryDatabase } from '../src/dev/temporary-database.ts';
import { DEMO_MERCHANT_ID, ensureDemoMerchant } from '../src/merchants/demo-merchant.ts';

const INSERTS = 2_000;
const CONCURRENCY = 10;
const database = await createTemporaryDatabase(
  process.argv[2] ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
  'recharge_insert_cost',
);
await applyMigrations(database.url);
const db = createPrisma(database.url);
const orders = createOrderRepository(db);
await ensureDemoMerchant(db, { apiKey: randomUUID(), callbackSecret: randomUUID() });

let orderCount = 0;
// A number of its own per order: the default per-number limits (10 a day) would refuse the 11th for one number.
const newOrder = () => ({
  merchantId: DEMO_MERCHANT_ID,
  merchantOrderNo: randomUUID(),
  phone: `138${String(orderCount++).padStart(8, '0')}`,
  carrier: 'CMCC' as const,
  province: '北京',
  city: '北京',
  speed: 'fast' as const,
  amountYuan: 50,
  costFen: 5000,
  slaSeconds: 180,
});

async function measure(label: string, insert: () => Promise<unknown>) {
  for (let i = 0; i < 200; i++) await insert(); // warm-up
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = 0; i < INSERTS / CONCURRENCY; i++) await insert();
    }),
  );
  const used = process.cpuUsage(cpu);
  console.log(
    `${label.padEnd(48)} ${((used.user + used.system) / 1000 / INSERTS).toFixed(2)} ms CPU, ${((performance.now() - started) / INSERTS).toFixed(2)} ms wall per insert`,
  );
}

try {
  await measure('Prisma interactive transaction (same writes)', () =>
    db.$transaction(async (tx) => {
      const { slaSeconds, ...input } = newOrder();
      const id = randomUUID();
      const slaDeadline = new Date(Date.now() + slaSeconds * 1000);
      await tx.$queryRaw`SELECT 1 FROM merchants WHERE id = ${input.merchantId} FOR UPDATE`;
      const [row] = await tx.order.createManyAndReturn({ data: [{ id, ...input, slaDeadline }], skipDuplicates: true });
      if (!row) return row;
      const { balanceFen } = await tx.merchant.update({
        where: { id: input.merchantId },
        data: { balanceFen: { decrement: input.costFen } },
      });
      await tx.ledgerEntry.create({
        data: {
          merchantId: input.merchantId,
          type: 'ORDER_DEBIT',
          debitAccount: merchantAccount(input.merchantId),
          creditAccount: SALES_ACCOUNT,
          amountFen: input.costFen,
          balanceAfterFen: balanceFen,
          orderId: id,
        },
      });
      await tx.orderEvent.create({ data: { orderId: id, key: 'submitted', type: 'submitted', detail: {} } });
      return row;
    }),
  );
  await measure('one statement (orders.createOrder)', async () => {
    const { outcome } = await orders.createOrder(newOrder());
    if (outcome !== 'created') throw new Error(`order not accepted: ${outcome}`);
  });
} finally {
  await db.$disconnect();
  await database.drop();
}
