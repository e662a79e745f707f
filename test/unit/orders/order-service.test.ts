import { describe, expect, it, vi } from 'vitest';
import type { LedgerRepository } from '../../../src/db/ledger-repository.ts';
import type { CreateOrderResult, OrderRepository, OrderRow } from '../../../src/db/order-repository.ts';
import type { OrderDispatcher } from '../../../src/orders/order-dispatcher.ts';
import type { SupplierRow } from '../../../src/db/supplier-repository.ts';
import { segmentTable } from '../../../src/numbers/segments.ts';
import { createOrderService } from '../../../src/orders/order-service.ts';
import { MERCHANT, ORDER_ID, debitEntry, orderRow, stub, submittedEvent } from '../routes/fake-app.ts';
import { fakeLogger, fakeTemporal } from './fakes.ts';

type Method = (...args: never[]) => Promise<unknown>;
const request = { merchantOrderNo: 'M-1', phone: '13812345678', amount: 50 };
/** One national supplier selling every face value of the three carriers, fast and slow, at 0.95. */
const NATIONAL = {
  enabled: true,
  carriers: ['CMCC', 'CUCC', 'CTCC'],
  faceValuesYuan: [10, 20, 30, 50, 100, 200, 300, 500],
  provinces: [],
  speeds: ['fast', 'slow'],
  rates: { CMCC: '0.95', CUCC: '0.95', CTCC: '0.95' },
};
const serviceDeps = {
  segments: segmentTable(),
  offers: async () => [NATIONAL] as unknown as SupplierRow[],
  sla: { fast: 180, slow: 86_400 },
};

function setup({
  created,
  found = orderRow(),
  stored = null,
  query,
}: { created?: CreateOrderResult; found?: OrderRow | null; stored?: OrderRow | null; query?: Method } = {}) {
  const createOrder = vi.fn<OrderRepository['createOrder']>(
    async () => created ?? { outcome: 'created', order: orderRow() },
  );
  const temporal = fakeTemporal(query ? { query } : {});
  const log = fakeLogger();
  const dispatchSoon = vi.fn<OrderDispatcher['dispatchSoon']>();
  const orders = stub<OrderRepository>('orders', {
    createOrder,
    findById: (async () => found) as unknown as OrderRepository['findById'],
    findByMerchantOrderNo: (async () => stored) as unknown as OrderRepository['findByMerchantOrderNo'],
  });
  const service = createOrderService({
    orders,
    ledger: stub<LedgerRepository>('ledger'),
    temporal: temporal.client,
    dispatcher: { dispatchSoon },
    logger: log.logger,
    ...serviceDeps,
  });
  return { service, createOrder, dispatchSoon, temporal, log };
}

describe('order service: submit', () => {
  it("prices the order at the merchant's rate for the carrier, stores it with its province, hands it to the dispatcher and logs the phone masked", async () => {
    const { service, createOrder, dispatchSoon, log } = setup();
    expect(await service.submit(MERCHANT, request)).toEqual({ kind: 'accepted', order: orderRow() });
    // CMCC at 0.985: 50 yuan cost 4,925 fen.
    expect(createOrder).toHaveBeenCalledWith({
      merchantId: MERCHANT.id,
      merchantOrderNo: 'M-1',
      phone: '13812345678',
      carrier: 'CMCC',
      province: '江苏',
      city: '连云港',
      speed: 'fast',
      amountYuan: 50,
      costFen: 4925,
      slaSeconds: 180,
      notifyUrl: undefined,
    });
    expect(dispatchSoon).toHaveBeenCalledWith(orderRow());
    expect(log.info.mock.calls[0]?.[0]).toMatchObject({ orderId: ORDER_ID, phone: '138****5678' });
    expect(JSON.stringify(log.info.mock.calls)).not.toContain('13812345678');
  });

  it("prices a slow order at the merchant's slow rate, with the slow SLA", async () => {
    const { service, createOrder } = setup();
    await service.submit(MERCHANT, { ...request, speed: 'slow' });
    // CMCC slow at 0.97: 50 yuan cost 4,850 fen.
    expect(createOrder).toHaveBeenCalledWith(
      expect.objectContaining({ speed: 'slow', costFen: 4850, slaSeconds: 86_400 }),
    );
  });

  it.each([
    ['a number the segment table does not know', { phone: '14000000000' }, { kind: 'unknown-segment' }],
    [
      'a slow order of a carrier the merchant has no slow rate for',
      { phone: '18612345678', speed: 'slow' as const },
      { kind: 'product-unavailable', carrier: 'CUCC', province: expect.any(String), virtual: false },
    ],
    [
      "a virtual operator's number",
      { phone: '17012345678' },
      { kind: 'product-unavailable', carrier: expect.any(String), province: expect.any(String), virtual: true },
    ],
    [
      'a China Broadcast Network number, which no supplier sells',
      { phone: '19212345678' },
      { kind: 'product-unavailable', carrier: 'CBN', province: expect.any(String), virtual: false },
    ],
  ])('refuses %s before storing anything', async (_, change, refusal) => {
    const { service, createOrder } = setup();
    expect(await service.submit(MERCHANT, { ...request, ...change })).toEqual(refusal);
    expect(createOrder).not.toHaveBeenCalled();
  });

  it('answers a repeat of an accepted order as a repeat, even if its product is no longer on sale', async () => {
    const stored = orderRow({ phone: '18612345678', speed: 'slow' });
    const { service, createOrder } = setup({ stored });
    const repeat = { ...request, phone: '18612345678', speed: 'slow' as const };
    expect(await service.submit(MERCHANT, repeat)).toEqual({ kind: 'repeated', order: stored });
    expect(await service.submit(MERCHANT, { ...repeat, amount: 100 })).toEqual({ kind: 'conflict' });
    expect(createOrder).not.toHaveBeenCalled();
  });

  it.each([
    [{ outcome: 'number-blocked' } as const, { kind: 'number-blocked' }],
    [
      {
        outcome: 'number-limit-exceeded',
        usage: { orders: 10, amountYuan: 500, maxOrders: 10, maxAmountYuan: 1000 },
      } as const,
      { kind: 'number-limit-exceeded', usage: { orders: 10, amountYuan: 500, maxOrders: 10, maxAmountYuan: 1000 } },
    ],
  ])('reports a number refused by the risk limits (%o), dispatching nothing', async (created, refusal) => {
    const { service, dispatchSoon } = setup({ created });
    expect(await service.submit(MERCHANT, request)).toEqual(refusal);
    expect(dispatchSoon).not.toHaveBeenCalled();
  });

  it('reports a balance that does not cover the cost, dispatching nothing', async () => {
    const { service, dispatchSoon } = setup({
      created: { outcome: 'insufficient-balance', balanceFen: 100n, creditLimitFen: 0n },
    });
    expect(await service.submit(MERCHANT, request)).toEqual({
      kind: 'insufficient-balance',
      costFen: 4925,
      balanceFen: 100n,
      creditLimitFen: 0n,
    });
    expect(dispatchSoon).not.toHaveBeenCalled();
  });

  it('answers a repeat with the stored order, and dispatches it again only while its workflow is not known to have started', async () => {
    const notStarted = setup({ created: { outcome: 'exists', order: orderRow({ workflowStartedAt: null }) } });
    expect(await notStarted.service.submit(MERCHANT, request)).toMatchObject({ kind: 'repeated' });
    expect(notStarted.dispatchSoon).toHaveBeenCalledOnce();
    const started = setup({
      created: { outcome: 'exists', order: orderRow({ status: 'PENDING', workflowStartedAt: new Date() }) },
    });
    expect(await started.service.submit(MERCHANT, request)).toMatchObject({
      kind: 'repeated',
      order: { status: 'PENDING' },
    });
    expect(started.dispatchSoon).not.toHaveBeenCalled();
  });

  it.each([
    ['phone', { phone: '13912345678' }],
    ['amount', { amount: 100 }],
    ['notifyUrl', { notifyUrl: 'https://merchant.test/n' }],
  ])('calls a repeat with another %s a conflict, dispatching nothing', async (_, change) => {
    const { service, dispatchSoon } = setup({ created: { outcome: 'exists', order: orderRow({ status: 'PENDING' }) } });
    expect(await service.submit(MERCHANT, { ...request, ...change })).toEqual({ kind: 'conflict' });
    expect(dispatchSoon).not.toHaveBeenCalled();
  });

  it('times the database write, the only step the merchant waits for', async () => {
    const steps: string[] = [];
    const { service } = setup();
    await service.submit(MERCHANT, request, (step, description, work) => {
      steps.push(`${step}: ${description}`);
      return work();
    });
    expect(steps).toEqual(['db: order insert and debit']);
  });
});

describe("order service: the merchant's reads", () => {
  it('shows an own order with its history, money and version, hides another merchant’s, and reads no story for a current copy', async () => {
    const findStory = vi.fn(async () => ({ order: orderRow(), history: [submittedEvent], money: [debitEntry] }));
    const readStory = (merchantId: string, known?: string[]) => {
      const orders = stub<OrderRepository>('orders', {
        findStory,
        versionOf: async () => ({ merchantId, version: 'v1' }),
      });
      const service = createOrderService({
        orders,
        ledger: stub('ledger'),
        temporal: fakeTemporal().client,
        dispatcher: { dispatchSoon: vi.fn() },
        logger: fakeLogger().logger,
        ...serviceDeps,
      });
      return service.findOwn(MERCHANT.id, ORDER_ID, known);
    };
    expect(await readStory(MERCHANT.id)).toEqual({
      kind: 'found',
      story: { order: orderRow(), history: [submittedEvent], money: [debitEntry] },
      version: 'v1',
    });
    expect(await readStory('someone-else')).toBeUndefined();
    findStory.mockClear();
    expect(await readStory(MERCHANT.id, ['v0', 'v1'])).toEqual({ kind: 'not-modified', version: 'v1' });
    expect(findStory).not.toHaveBeenCalled();
  });
});

describe("order service: the merchant's live state", () => {
  const state = { orderId: ORDER_ID, merchantOrderNo: 'M-1', status: 'PROCESSING', round: 1, timeline: [] };

  it("answers the workflow's state of an own order", async () => {
    const { service, temporal } = setup({ query: async () => state });
    expect(await service.liveState(MERCHANT.id, ORDER_ID)).toEqual({ kind: 'live', state });
    expect(temporal.handles).toEqual([`recharge-order-${ORDER_ID}`]);
  });

  it('reports another merchant’s order as not found, without asking its workflow', async () => {
    const { service, temporal } = setup({ found: orderRow({ merchantId: 'someone-else' }), query: async () => state });
    expect(await service.liveState(MERCHANT.id, ORDER_ID)).toEqual({ kind: 'not-found' });
    expect(temporal.handles).toEqual([]);
  });

  it('reports a workflow that cannot answer as unavailable', async () => {
    const { service } = setup({
      query: async () => {
        throw new Error('no worker');
      },
    });
    expect(await service.liveState(MERCHANT.id, ORDER_ID)).toEqual({ kind: 'unavailable' });
  });
});
