import { describe, expect, it, vi } from 'vitest';
import type { LedgerRepository } from '../../../src/db/ledger-repository.ts';
import type { CreateOrderResult, OrderRepository, OrderRow } from '../../../src/db/order-repository.ts';
import type { OrderDispatcher } from '../../../src/orders/order-dispatcher.ts';
import { createOrderService } from '../../../src/orders/order-service.ts';
import { MERCHANT, ORDER_ID, debitEntry, orderRow, stub, submittedEvent } from '../routes/fake-app.ts';
import { fakeLogger, fakeTemporal } from './fakes.ts';

type Method = (...args: never[]) => Promise<unknown>;
const request = { merchantOrderNo: 'M-1', phone: '13812345678', amount: 50 };

function setup({
  created,
  found = orderRow(),
  query,
}: { created?: CreateOrderResult; found?: OrderRow | null; query?: Method } = {}) {
  const createOrder = vi.fn<OrderRepository['createOrder']>(
    async () => created ?? { outcome: 'created', order: orderRow() },
  );
  const temporal = fakeTemporal(query ? { query } : {});
  const log = fakeLogger();
  const dispatchSoon = vi.fn<OrderDispatcher['dispatchSoon']>();
  const orders = stub<OrderRepository>('orders', {
    createOrder,
    findById: (async () => found) as unknown as OrderRepository['findById'],
  });
  const service = createOrderService({
    orders,
    ledger: stub<LedgerRepository>('ledger'),
    temporal: temporal.client,
    dispatcher: { dispatchSoon },
    logger: log.logger,
  });
  return { service, createOrder, dispatchSoon, temporal, log };
}

describe('order service: submit', () => {
  it("prices the order at the merchant's rate for the carrier, stores it, hands it to the dispatcher and logs the phone masked", async () => {
    const { service, createOrder, dispatchSoon, log } = setup();
    expect(await service.submit(MERCHANT, request)).toEqual({ kind: 'accepted', order: orderRow() });
    // CMCC at 0.985: 50 yuan cost 4,925 fen.
    expect(createOrder).toHaveBeenCalledWith({
      merchantId: MERCHANT.id,
      merchantOrderNo: 'M-1',
      phone: '13812345678',
      carrier: 'CMCC',
      amountYuan: 50,
      costFen: 4925,
      notifyUrl: undefined,
    });
    expect(dispatchSoon).toHaveBeenCalledWith(orderRow());
    expect(log.info.mock.calls[0]?.[0]).toMatchObject({ orderId: ORDER_ID, phone: '138****5678' });
    expect(JSON.stringify(log.info.mock.calls)).not.toContain('13812345678');
  });

  it('refuses a phone of no supported carrier before storing anything', async () => {
    const { service, createOrder } = setup();
    expect(await service.submit(MERCHANT, { ...request, phone: '17012345678' })).toEqual({ kind: 'unknown-carrier' });
    expect(createOrder).not.toHaveBeenCalled();
  });

  it('reports a balance that does not cover the cost, dispatching nothing', async () => {
    const { service, dispatchSoon } = setup({ created: { outcome: 'insufficient-balance', balanceFen: 100n } });
    expect(await service.submit(MERCHANT, request)).toEqual({
      kind: 'insufficient-balance',
      costFen: 4925,
      balanceFen: 100n,
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
