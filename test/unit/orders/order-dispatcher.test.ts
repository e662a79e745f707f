import { describe, expect, it, vi } from 'vitest';
import type { OrderRepository, OrderRow } from '../../../src/db/order-repository.ts';
import { createOrderDispatcher } from '../../../src/orders/order-dispatcher.ts';
import { orderRow, stub } from '../routes/fake-app.ts';
import { fakeLogger, fakeTemporal } from './fakes.ts';

/** A dispatcher over orders not yet started (in pages, as the repository gives them) and a Temporal that starts or fails. */
function setup({ notStarted = [] as OrderRow[], start = async (): Promise<unknown> => ({}) } = {}) {
  const waiting = [...notStarted];
  const listNotStarted = vi.fn(async ({ limit }: { acceptedBy: Date; limit: number }) => waiting.slice(0, limit));
  const markWorkflowStarted = vi.fn(
    async (orderId: string) =>
      void waiting.splice(
        waiting.findIndex((o) => o.id === orderId),
        1,
      ),
  );
  const orders = stub<OrderRepository>('orders', {
    listNotStarted: listNotStarted as unknown as OrderRepository['listNotStarted'],
    markWorkflowStarted,
  });
  const startSpy = vi.fn(start);
  const temporal = fakeTemporal({}, startSpy);
  const log = fakeLogger();
  const dispatcher = createOrderDispatcher({ orders, temporal: temporal.client, logger: log.logger, slaSeconds: 180 });
  return { dispatcher, start: startSpy, temporal, log, listNotStarted, markWorkflowStarted };
}

const orders = (n: number) => Array.from({ length: n }, (_, i) => orderRow({ id: `order-${i}` }));
const unavailable = async () => {
  throw Object.assign(new Error('14 UNAVAILABLE: connection refused'), { code: 14 });
};

describe('order dispatcher', () => {
  it('starts each order not yet started, oldest first, page by page, and marks it started', async () => {
    const { dispatcher, start, markWorkflowStarted, listNotStarted, temporal } = setup({ notStarted: orders(5) });
    const before = Date.now();
    expect(await dispatcher.drain({ graceMs: 2_000, batchSize: 2 })).toBe(5);
    // Each start gives up within seconds, so a drain caught by an outage ends and the next one starts the backlog soon after Temporal's return.
    expect(temporal.deadlines).toHaveLength(5);
    for (const deadline of temporal.deadlines)
      expect(deadline - before).toBeLessThanOrEqual(2_000 + (Date.now() - before));
    expect(start.mock.calls.map((call) => (call as unknown as [string, { workflowId: string }])[1].workflowId)).toEqual(
      orders(5).map((order) => `recharge-order-${order.id}`),
    );
    expect(markWorkflowStarted.mock.calls.map(([id]) => id)).toEqual(orders(5).map((order) => order.id));
    // Leaves the youngest orders to the fast path that is starting them.
    const acceptedBy = listNotStarted.mock.calls[0]?.[0].acceptedBy.getTime() ?? 0;
    expect(Date.now() - acceptedBy).toBeGreaterThanOrEqual(2_000);
  });

  it('starts a backlog several at a time, not one round trip after another', async () => {
    let inFlight = 0;
    let most = 0;
    const { dispatcher } = setup({
      notStarted: orders(60),
      start: async () => {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight -= 1;
        return {};
      },
    });
    expect(await dispatcher.drain({ graceMs: 0, batchSize: 100 })).toBe(60);
    expect(most).toBe(25);
  });

  it('stops after the first failed batch while Temporal is away, marking nothing; the next drain starts them', async () => {
    const away = setup({ notStarted: orders(30), start: unavailable });
    await expect(away.dispatcher.drain({ graceMs: 0, batchSize: 100 })).rejects.toThrow('UNAVAILABLE');
    expect(away.start).toHaveBeenCalledTimes(25);
    expect(away.markWorkflowStarted).not.toHaveBeenCalled();
  });

  it('leaves new orders to the drain for a second after Temporal was unreachable, then probes again; other errors do not', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      let answer: () => Promise<unknown> = unavailable;
      const { dispatcher, start } = setup({ start: () => answer() });
      dispatcher.dispatchSoon(orderRow({ id: 'first' }));
      await dispatcher.idle();
      dispatcher.dispatchSoon(orderRow({ id: 'while-away' }));
      await dispatcher.idle();
      expect(start).toHaveBeenCalledOnce();
      vi.advanceTimersByTime(1_000);
      answer = async () => {
        throw new Error('namespace not found');
      };
      dispatcher.dispatchSoon(orderRow({ id: 'probe' }));
      await dispatcher.idle();
      dispatcher.dispatchSoon(orderRow({ id: 'after-another-error' }));
      await dispatcher.idle();
      expect(start).toHaveBeenCalledTimes(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('starts an accepted order in the background with a deadline, and leaves a failed start to the drain', async () => {
    const { dispatcher, start, temporal, log, markWorkflowStarted } = setup({ start: unavailable });
    dispatcher.dispatchSoon(orderRow());
    await vi.waitFor(() => expect(log.warn).toHaveBeenCalledOnce());
    expect(start).toHaveBeenCalledOnce();
    expect(temporal.deadlines).toHaveLength(1);
    expect(markWorkflowStarted).not.toHaveBeenCalled();
    expect(log.warn.mock.calls[0]?.[1]).toBe('workflow start failed; the dispatcher retries');
  });

  it('is idle only once every background start has settled, so the connection can close after', async () => {
    let release!: () => void;
    const { dispatcher } = setup({ start: () => new Promise((resolve) => (release = () => resolve({}))) });
    dispatcher.dispatchSoon(orderRow());
    let idle = false;
    const idled = dispatcher.idle().then(() => (idle = true));
    await new Promise((resolve) => setImmediate(resolve)); // every pending promise job has run
    expect(idle).toBe(false);
    release();
    await idled;
    expect(idle).toBe(true);
  });
});
