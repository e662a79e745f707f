import { describe, expect, it, vi } from 'vitest';
import type { OrderRow } from '../../src/db/order-repository.ts';
import type { SupplierRepository } from '../../src/db/supplier-repository.ts';
import { BreakerState } from '../../src/shared/suppliers.ts';
import { createFirstRouter } from '../../src/suppliers/first-route.ts';
import { createSupplierSnapshot } from '../../src/suppliers/supplier-snapshot.ts';

type Listed = Awaited<ReturnType<SupplierRepository['list']>>[number];

const BREAKER = { faultsToOpen: 5, coolDownMs: 15_000 };
const supplier = (id: string, fields: Partial<Listed> = {}) =>
  ({
    id,
    enabled: true,
    carriers: ['CMCC', 'CUCC', 'CTCC'],
    faceValuesYuan: [50],
    provinces: [],
    speeds: ['fast'],
    priority: 1,
    weight: 1,
    balanceFen: 1_000_000n,
    rates: { CMCC: '0.97' },
    breakerState: BreakerState.CLOSED,
    consecutiveFaults: 0,
    breakerChangedAt: new Date(),
    ...fields,
  }) as Listed;
const order = (id = 'order-1') =>
  ({ id, carrier: 'CMCC', province: '北京', speed: 'fast', amountYuan: 50, costFen: 5000n }) as unknown as OrderRow;

describe('the first route, chosen where the workflow is started', () => {
  it('names the best supplier for attempt 1, with those passed over, from one read a second', async () => {
    const list = vi.fn(async () => [supplier('dear', { rates: { CMCC: '1.1' } }), supplier('sim-b', { priority: 2 })]);
    const route = createFirstRouter({ suppliers: createSupplierSnapshot({ list }), breaker: BREAKER });
    expect(await route(order())).toEqual({
      kind: 'chosen',
      supplierId: 'sim-b',
      taskQueue: 'supplier-sim-b',
      requestId: 'order-1-1',
      costFen: 4850,
      probe: false,
      skipped: [{ supplierId: 'dear', reason: "costs 5500 fen, more than the merchant's 5000", lasting: true }],
    });
    await route(order('order-2'));
    expect(list).toHaveBeenCalledTimes(1);
  });

  it('leaves the route to the workflow when the best would be a probe, when none can take the order, and when the read fails', async () => {
    const longOpen = { breakerState: BreakerState.OPEN, breakerChangedAt: new Date(Date.now() - 60_000) };
    const probe = createFirstRouter({
      suppliers: createSupplierSnapshot({
        list: async () => [supplier('open', longOpen), supplier('closed', { priority: 2 })],
      }),
      breaker: BREAKER,
    });
    expect(await probe(order())).toBeUndefined();
    const none = createFirstRouter({
      suppliers: createSupplierSnapshot({ list: async () => [supplier('off', { enabled: false })] }),
      breaker: BREAKER,
    });
    expect(await none(order())).toBeUndefined();
    const list = vi
      .fn()
      .mockRejectedValueOnce(new Error('database away'))
      .mockResolvedValue([supplier('sim-a')]);
    const flaky = createFirstRouter({ suppliers: createSupplierSnapshot({ list }), breaker: BREAKER });
    expect(await flaky(order())).toBeUndefined();
    // A failed read is not kept: the next order reads again.
    expect(await flaky(order())).toMatchObject({ supplierId: 'sim-a' });
  });
});
