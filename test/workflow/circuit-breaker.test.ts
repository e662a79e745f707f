import { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoutingActivities } from '../../src/activities/routing.ts';
import { createSupplierCallActivities } from '../../src/activities/supplier-calls.ts';
import { CarrierUnavailableError, type CarrierClient } from '../../src/carrier/client.ts';
import { createPrisma, type Db } from '../../src/db/prisma.ts';
import { createSupplierRepository, type SupplierRepository } from '../../src/db/supplier-repository.ts';
import { carrierCallbackSignal } from '../../src/shared/order-workflow.ts';
import { supplierRequestId, type RouteDecision } from '../../src/shared/suppliers.ts';
import { ensureSimulatedSuppliers } from '../../src/suppliers/simulated-suppliers.ts';
import { createTestDatabase } from '../integration/harness.ts';
import { fakeActivities } from './fake-activities.ts';
import { callback, useWorkflowTestEnv, type OrderHandle } from './workflow-env.ts';

/**
 * The circuit breaker as the worker runs it (the real routing and supplier
 * call activities over the real database), with only the suppliers' HTTP
 * clients scripted, and the breaker's clock read from the time-skipping
 * server: the cool-down passes in skipped time.
 */
const { env, withOrder, untilSubmitted } = useWorkflowTestEnv();
const BREAKER = { faultsToOpen: 2, coolDownMs: 60_000 };

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let prisma: Db;
let suppliers: SupplierRepository;

beforeAll(async () => {
  database = await createTestDatabase();
  prisma = createPrisma(database.url);
  suppliers = createSupplierRepository(prisma);
  await ensureSimulatedSuppliers(prisma, [
    { id: 'sim-a', baseUrl: 'http://sim-a.invalid', callbackSecret: 'a', priority: 1 },
    { id: 'sim-b', baseUrl: 'http://sim-b.invalid', callbackSecret: 'b', priority: 2 },
  ]);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await database?.drop();
});

/** sim-a answers every recharge 503 while down and has never received anything; sim-b accepts every request. */
function scriptedSuppliers() {
  const world = { simADown: true, sent: [] as string[], breakerAtSend: [] as string[] };
  const simA: CarrierClient = {
    async submit({ requestId }) {
      world.sent.push(`sim-a ${requestId}`);
      world.breakerAtSend.push((await suppliers.findById('sim-a'))!.breakerState);
      if (world.simADown) throw new CarrierUnavailableError('carrier answered HTTP 503');
      return { outcome: 'accepted', carrierOrderId: `A-${requestId}` };
    },
    status: async () => ({ state: 'NOT_FOUND' }),
  };
  const simB: CarrierClient = {
    async submit({ requestId }) {
      world.sent.push(`sim-b ${requestId}`);
      return { outcome: 'accepted', carrierOrderId: `B-${requestId}` };
    },
    status: async () => ({ state: 'NOT_FOUND' }),
  };
  const clients: Record<string, CarrierClient> = { 'sim-a': simA, 'sim-b': simB };
  return {
    world,
    directory: {
      get: async (id: string) => ({
        client: clients[id]!,
        callbackUrl: 'http://api.invalid/cb',
        rateLimitPerSecond: 1_000,
        timeoutMs: 10_000,
      }),
    },
  };
}

describe('supplier circuit breaker, in skipped time', () => {
  it('opens after a run of faults, sends orders elsewhere during the cool-down, then lets one probe through and closes on its success', async () => {
    const { world, directory } = scriptedSuppliers();
    const clock = async () => new Date(await env().currentTimeMs());
    const routing = createRoutingActivities({ suppliers, breaker: BREAKER, clock });
    const decisions: RouteDecision[] = [];
    // The real decision, but on the test worker's queue rather than the supplier's own.
    const fakes = fakeActivities({
      route: async (input, taskQueue) => {
        const decision = await routing.routeOrder(input);
        decisions.push(decision);
        return decision.kind === 'chosen' ? { ...decision, taskQueue } : decision;
      },
    });
    const calls = createSupplierCallActivities({
      directory,
      suppliers,
      orders: { appendEvent: async () => undefined, recordAcceptance: async () => true },
      breaker: BREAKER,
      clock,
    });
    const worker = { ...fakes, activities: { ...fakes.activities, ...calls } };
    const breakerOfSimA = async () => {
      const { breakerState, consecutiveFaults } = (await suppliers.findById('sim-a'))!;
      return { breakerState, consecutiveFaults };
    };
    /**
     * One order to its end, credited by the supplier of its last attempt. The
     * result is awaited without unlocking time skipping (the test client's
     * result() would skip ahead to a finished order's leftover execution
     * timeout, years on): here time passes only when the test says so.
     */
    const lockedClock = new Client({ connection: env().connection });
    const creditedBy =
      (supplierId: string, attempt: number) => async (handle: OrderHandle, input: { orderId: string }) => {
        await untilSubmitted(handle);
        await handle.signal(carrierCallbackSignal, {
          ...callback('SUCCESS'),
          supplierId,
          requestId: supplierRequestId(input.orderId, attempt),
        });
        expect(await lockedClock.workflow.getHandle(handle.workflowId).result()).toMatchObject({
          status: 'SUCCEEDED',
          supplierId,
        });
      };

    // Two orders each meet a 503 at sim-a (whose status then says it never got them) and fail over to sim-b.
    for (let i = 0; i < BREAKER.faultsToOpen; i++) await withOrder(worker, creditedBy('sim-b', 2));
    expect(await breakerOfSimA()).toEqual({ breakerState: 'OPEN', consecutiveFaults: 2 });

    // During the cool-down sim-a is skipped: the next order goes straight to sim-b.
    world.sent.length = 0;
    await withOrder(worker, creditedBy('sim-b', 1));
    expect(world.sent).toEqual([expect.stringMatching(/^sim-b .*-1$/)]);
    expect(decisions.at(-1)).toMatchObject({
      kind: 'chosen',
      supplierId: 'sim-b',
      skipped: [{ supplierId: 'sim-a', reason: expect.stringMatching(/circuit breaker/i) }],
    });

    // After the cool-down (skipped time), sim-a is back: one order probes it, HALF_OPEN while it does, and its answer closes the breaker.
    await env().sleep(BREAKER.coolDownMs);
    world.simADown = false;
    world.breakerAtSend.length = 0;
    await withOrder(worker, creditedBy('sim-a', 1));
    expect(decisions.at(-1)).toMatchObject({ kind: 'chosen', supplierId: 'sim-a', probe: true });
    expect(world.breakerAtSend).toEqual(['HALF_OPEN']);
    expect(await breakerOfSimA()).toEqual({ breakerState: 'CLOSED', consecutiveFaults: 0 });
  });
});
