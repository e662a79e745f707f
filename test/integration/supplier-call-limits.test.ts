import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SupplierBusyError, createSupplierCallActivities } from '../../src/activities/supplier-calls.ts';
import type { CarrierClient } from '../../src/carrier/client.ts';
import { createPrisma, type Db } from '../../src/db/prisma.ts';
import { createSupplierRepository, type SupplierRepository } from '../../src/db/supplier-repository.ts';
import { systemClock } from '../../src/suppliers/clock.ts';
import { ensureSimulatedSuppliers } from '../../src/suppliers/simulated-suppliers.ts';
import { TEST_BREAKER, createTestDatabase } from './harness.ts';

/**
 * The supplier call's limits as the worker applies them, over the real
 * database: a call goes out only with one of the supplier's concurrency
 * slots (shared by every worker) and only while its answer can still arrive
 * within the try's deadline.
 */
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let prisma: Db;
let suppliers: SupplierRepository;

const SUPPLIER = 'limited';
const HTTP_TIMEOUT_MS = 200;

beforeAll(async () => {
  database = await createTestDatabase();
  prisma = createPrisma(database.url);
  suppliers = createSupplierRepository(prisma);
  await ensureSimulatedSuppliers(prisma, [
    { id: SUPPLIER, baseUrl: 'http://limited.invalid', callbackSecret: 'secret', priority: 1 },
  ]);
  await suppliers.update(SUPPLIER, { concurrencyLimit: 2 }, 'test');
});
afterAll(async () => {
  await prisma?.$disconnect();
  await database?.drop();
});

function callActivities() {
  const sent: string[] = [];
  const notAfters: number[] = [];
  const client: CarrierClient = {
    async submit({ requestId, notAfter }) {
      sent.push(requestId);
      notAfters.push(Date.parse(notAfter as string));
      return { outcome: 'accepted', carrierOrderId: `C-${requestId}` };
    },
    status: async () => ({ state: 'NOT_FOUND' }),
  };
  const activities = createSupplierCallActivities({
    directory: {
      get: async () => ({
        client,
        callbackUrl: 'http://api.invalid/cb',
        rateLimitPerSecond: 1_000,
        timeoutMs: HTTP_TIMEOUT_MS,
      }),
    },
    suppliers,
    orders: { appendEvent: async () => undefined, recordAcceptance: async () => true },
    breaker: TEST_BREAKER,
    clock: systemClock,
  });
  return { sent, notAfters, activities };
}

/** A first try the server scheduled now: its request may be sent until `startToCloseTimeoutMs − 3 s` from now. */
const firstTry = (startToCloseTimeoutMs: number, scheduledAt = Date.now()) =>
  new MockActivityEnvironment({ attempt: 1, startToCloseTimeoutMs, currentAttemptScheduledTimestampMs: scheduledAt });
const attempt = (requestId: string) => ({
  orderId: randomUUID(),
  supplierId: SUPPLIER,
  requestId,
  phone: '13812345678',
  carrier: 'CMCC' as const,
  amountYuan: 50,
  round: 1,
  attempt: 1,
});

describe('supplier call limits', () => {
  it('sends nothing while every concurrency slot is held, fails the try as busy before its deadline, and counts no fault', async () => {
    const held = [
      await suppliers.acquireCallSlot(SUPPLIER, 60_000, 0),
      await suppliers.acquireCallSlot(SUPPLIER, 60_000, 0),
    ];
    expect(held.map((lease) => lease?.slot)).toEqual([0, 1]);
    expect(await suppliers.acquireCallSlot(SUPPLIER, 60_000, 0)).toBeUndefined();
    const { sent, activities } = callActivities();

    const started = Date.now();
    await expect(firstTry(4_000).run((input) => activities.submitToSupplier(input), attempt('busy-1'))).rejects.toThrow(
      SupplierBusyError,
    );
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(sent).toEqual([]);
    expect((await suppliers.findById(SUPPLIER))?.consecutiveFaults).toBe(0);

    // A slot freed while a call waits is taken at once.
    const waiting = firstTry(5_000).run((input) => activities.submitToSupplier(input), attempt('waits-1'));
    await suppliers.releaseCallSlot(held[0]!);
    expect(await waiting).toMatchObject({ outcome: 'accepted', tries: 1 });
    expect(sent).toEqual(['waits-1']);
    await suppliers.releaseCallSlot(held[1]!);
  });

  it('frees a slot whose holder died when its lease runs out, and a late release frees no one else’s slot', async () => {
    const dead = await suppliers.acquireCallSlot(SUPPLIER, 300, 0);
    const alive = await suppliers.acquireCallSlot(SUPPLIER, 60_000, 0);
    expect(await suppliers.acquireCallSlot(SUPPLIER, 60_000, 0)).toBeUndefined();
    const { sent, activities } = callActivities();
    // The dead holder's lease runs out while this call waits: it takes that slot.
    expect(
      await firstTry(5_000).run((input) => activities.submitToSupplier(input), attempt('after-lease-1')),
    ).toMatchObject({ outcome: 'accepted' });
    expect(sent).toEqual(['after-lease-1']);

    const next = await suppliers.acquireCallSlot(SUPPLIER, 60_000, 0);
    expect(next?.slot).toBe(dead?.slot);
    await suppliers.releaseCallSlot(dead!); // the dead holder, back late: must not free `next`
    expect(await suppliers.acquireCallSlot(SUPPLIER, 60_000, 0)).toBeUndefined();
    for (const lease of [alive, next]) await suppliers.releaseCallSlot(lease!);
  });

  it('gives every request a notAfter before the server can give its try up, and sends nothing once that moment has passed', async () => {
    const { sent, notAfters, activities } = callActivities();
    const scheduledAt = Date.now();
    await firstTry(30_000, scheduledAt).run((input) => activities.submitToSupplier(input), attempt('not-after-1'));
    // 2 s before the 30 s start-to-close timeout, counted from when the server scheduled the try (its start is later).
    expect(notAfters).toEqual([scheduledAt + 28_000]);
    // A try whose task reached this worker late (a frozen process held it): the server has given it up, nothing goes out.
    const late = firstTry(30_000, Date.now() - 40_000).run(
      (input) => activities.submitToSupplier(input),
      attempt('not-after-2'),
    );
    await expect(late).rejects.toThrow(SupplierBusyError);
    expect(sent).toEqual(['not-after-1']);
  });

  it('takes a lowered limit at the next call', async () => {
    await suppliers.update(SUPPLIER, { concurrencyLimit: 1 }, 'test');
    const only = await suppliers.acquireCallSlot(SUPPLIER, 60_000, 0);
    expect(only?.slot).toBe(0);
    expect(await suppliers.acquireCallSlot(SUPPLIER, 60_000, 0)).toBeUndefined();
    await suppliers.releaseCallSlot(only!);
    await suppliers.update(SUPPLIER, { concurrencyLimit: 2 }, 'test');
  });
});
