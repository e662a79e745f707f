import { describe, expect, it } from 'vitest';
import { CarrierUnavailableError } from '../../src/carrier/client.ts';
import { OrderStatus } from '../../src/shared/order-status.ts';
import { carrierCallbackSignal, orderStateQuery } from '../../src/shared/order-workflow.ts';
import { SupplierAttribute } from '../../src/shared/search-attributes.ts';
import { ROUTE_AGAIN_MS } from '../../src/workflows/order/supplier-rules.ts';
import { NEVER_RECEIVED, fakeActivities, firstSupplierOf } from './fake-activities.ts';
import { SLA_SECONDS, closeByOperator, supplierCallback, useWorkflowTestEnv } from './workflow-env.ts';

const { env, withOrder, untilEscalated, untilSubmitted, recordHistory } = useWorkflowTestEnv();

const routeToBoth = firstSupplierOf(['sim-a', 'sim-b']);

describe('rechargeOrder workflow: suppliers and failover', () => {
  it('fails over to the next supplier on a refusal, and books the cost of the one that credited the phone', async () => {
    const fakes = fakeActivities({
      route: routeToBoth,
      submit: async (input) =>
        input.supplierId === 'sim-a'
          ? { outcome: 'refused', reason: 'out of stock' }
          : { outcome: 'accepted', carrierOrderId: 'B-1' },
    });
    await withOrder(fakes, async (handle, input) => {
      await untilSubmitted(handle);
      await handle.signal(carrierCallbackSignal, supplierCallback(input.orderId, 2, 'sim-b', 'SUCCESS'));
      expect(await handle.result()).toMatchObject({ status: 'SUCCEEDED', supplierId: 'sim-b' });
      const state = await handle.query(orderStateQuery);
      expect(state.supplierId).toBe('sim-b');
      expect(state.attempts?.map((a) => [a.supplierId, a.requestId, a.state])).toEqual([
        ['sim-a', `${input.orderId}-1`, 'declined'],
        ['sim-b', `${input.orderId}-2`, 'accepted'],
      ]);
      expect((await handle.describe()).typedSearchAttributes.get(SupplierAttribute)).toBe('sim-b');
      await recordHistory(handle, 'failover-on-refusal');
    });
    expect(fakes.calls.routes.map((r) => r.declined)).toEqual([[], ['sim-a']]);
    expect(fakes.calls.submits.map((s) => [s.supplierId, s.requestId?.slice(-2)])).toEqual([
      ['sim-a', '-1'],
      ['sim-b', '-2'],
    ]);
    const finished = fakes.calls.transitions.at(-1);
    expect(finished).toMatchObject({ to: OrderStatus.SUCCEEDED, supplierId: 'sim-b', supplierCostFen: 4850 });
    // The declined attempt is in the order's history, with why.
    expect(fakes.calls.events.find((e) => e.type === 'supplier-declined')?.detail).toMatchObject({
      supplierId: 'sim-a',
      reason: 'out of stock',
    });
    expect(fakes.calls.refunds).toEqual([]);
  });

  it('fails over on a FAILED callback, and flags a later SUCCESS from the declined supplier for review', async () => {
    const fakes = fakeActivities({ route: routeToBoth });
    await withOrder(fakes, async (handle, input) => {
      await untilSubmitted(handle);
      await handle.signal(carrierCallbackSignal, supplierCallback(input.orderId, 1, 'sim-a', 'FAILED'));
      await untilSubmitted(handle, 2);
      await handle.signal(carrierCallbackSignal, supplierCallback(input.orderId, 2, 'sim-b', 'SUCCESS'));
      // sim-a said it failed, then says it credited the phone: it may now be credited twice.
      await handle.signal(carrierCallbackSignal, supplierCallback(input.orderId, 1, 'sim-a', 'SUCCESS', '3'));
      expect(await handle.result()).toMatchObject({ status: 'SUCCEEDED', supplierId: 'sim-b' });
      expect((await handle.query(orderStateQuery)).reviewReason).toMatch(
        /sim-a reported SUCCESS .* attempt 1, which it had declined/,
      );
      await recordHistory(handle, 'failover-on-failed-callback');
    });
    expect(fakes.calls.submits.map((s) => s.supplierId)).toEqual(['sim-a', 'sim-b']);
    expect(fakes.calls.reviewFlags).toHaveLength(1);
  });

  it('does not fail over on an unknown outcome until the supplier says it never received the request', async () => {
    const fakes = fakeActivities({
      route: routeToBoth,
      submit: async (input, attempt) => {
        if (input.supplierId === 'sim-b') return { outcome: 'accepted', carrierOrderId: 'B-1' };
        // The first try times out; the retry asks sim-a's status, which has never heard of the request.
        if (attempt === 1) throw new CarrierUnavailableError('carrier unreachable: timeout');
        return { outcome: 'refused', reason: NEVER_RECEIVED };
      },
    });
    await withOrder(fakes, async (handle, input) => {
      await env().sleep('5s'); // the retry's backoff
      await untilSubmitted(handle); // sim-b's acceptance: sim-a's "never received" is a decline, not an answer counted here
      await handle.signal(carrierCallbackSignal, supplierCallback(input.orderId, 2, 'sim-b', 'SUCCESS'));
      expect(await handle.result()).toMatchObject({ status: 'SUCCEEDED', supplierId: 'sim-b' });
    });
    expect(fakes.calls.submits.map((s) => [s.supplierId, s.attempt])).toEqual([
      ['sim-a', 1],
      ['sim-a', 2],
      ['sim-b', 1],
    ]);
  });

  it('sends a new attempt to the only supplier when it never received the first, instead of failing', async () => {
    const fakes = fakeActivities({
      submit: async (input, attempt) => {
        if (input.supplierAttempt === 2) return { outcome: 'accepted', carrierOrderId: 'A-2' };
        if (attempt === 1) throw new CarrierUnavailableError('carrier answered HTTP 503');
        return { outcome: 'refused', reason: NEVER_RECEIVED };
      },
    });
    await withOrder(fakes, async (handle, input) => {
      await env().sleep('5s'); // the retry's backoff
      await untilSubmitted(handle);
      await handle.signal(carrierCallbackSignal, supplierCallback(input.orderId, 2, 'sim-a', 'SUCCESS'));
      expect(await handle.result()).toMatchObject({ status: 'SUCCEEDED', supplierId: 'sim-a' });
      await recordHistory(handle, 'never-received-new-attempt');
    });
    expect(fakes.calls.routes.map((r) => [r.attempt, r.resting])).toEqual([
      [1, []],
      [2, ['sim-a']],
    ]);
    expect(fakes.calls.submits.map((s) => [s.requestId?.slice(-2), s.attempt])).toEqual([
      ['-1', 1],
      ['-1', 2],
      ['-2', 1],
    ]);
    expect(fakes.calls.refunds).toEqual([]);
  });

  it('keeps an unknown outcome with its supplier: no failover, and the deadline asks that supplier', async () => {
    const fakes = fakeActivities({
      route: routeToBoth,
      submit: async () => {
        throw new CarrierUnavailableError('carrier answered HTTP 503');
      },
      status: async () => ({ state: 'PROCESSING', carrierOrderId: 'A-1' }),
    });
    await withOrder(fakes, async (handle, input) => {
      await untilEscalated(fakes, handle);
      expect(fakes.calls.statusQueries).toEqual([
        expect.objectContaining({ supplierId: 'sim-a', requestId: `${input.orderId}-1`, purpose: 'sla-deadline' }),
      ]);
      await closeByOperator(handle);
    });
    expect(fakes.calls.routes).toHaveLength(1);
    expect(new Set(fakes.calls.submits.map((s) => s.supplierId))).toEqual(new Set(['sim-a']));
    expect(fakes.statuses()).toEqual([OrderStatus.UNKNOWN, OrderStatus.ESCALATED, OrderStatus.FAILED]);
  });

  it('ends FAILED, refunded once, when every supplier refuses', async () => {
    const fakes = fakeActivities({
      route: routeToBoth,
      submit: async (input) => ({ outcome: 'refused', reason: `${input.supplierId}: number not served` }),
    });
    await withOrder(fakes, async (handle) => {
      expect(await handle.result()).toMatchObject({
        status: 'FAILED',
        reason: 'sim-b: number not served',
        resolvedBy: 'carrier-refusal',
      });
      await recordHistory(handle, 'every-supplier-refused');
    });
    expect(fakes.calls.routes.map((r) => r.declined)).toEqual([[], ['sim-a'], ['sim-a', 'sim-b']]);
    expect(fakes.calls.refunds).toHaveLength(1);
    expect(fakes.statuses()).toEqual([OrderStatus.FAILED]);
  });

  it('waits durably while no supplier is available, routing again, and escalates exactly at the deadline', async () => {
    const fakes = fakeActivities({
      route: async () => ({
        kind: 'none-now',
        skipped: [{ supplierId: 'sim-a', reason: 'circuit breaker OPEN', lasting: false }],
      }),
    });
    await withOrder(fakes, async (handle, input) => {
      await untilEscalated(fakes, handle);
      const { escalatedAt } = await handle.query(orderStateQuery);
      // On time: at the deadline, give or take the last routing's few milliseconds.
      const deadline = Date.parse(input.submittedAt) + SLA_SECONDS * 1000;
      expect(Date.parse(escalatedAt as string)).toBeGreaterThanOrEqual(deadline);
      expect(Date.parse(escalatedAt as string)).toBeLessThan(deadline + 1_000);
      await closeByOperator(handle);
      await recordHistory(handle, 'no-supplier-available');
    });
    // Once at once, then every ROUTE_AGAIN_MS until the deadline; nothing was sent, so nothing is asked at the deadline.
    expect(fakes.calls.routes).toHaveLength(Math.ceil((SLA_SECONDS * 1000) / ROUTE_AGAIN_MS));
    expect(fakes.calls.submits).toEqual([]);
    expect(fakes.calls.statusQueries).toEqual([]);
    // The wait is in the history once, not at every re-route.
    expect(fakes.calls.events.filter((e) => e.type === 'supplier-unavailable')).toHaveLength(1);
  });

  it('takes the first supplier that becomes available while it waits', async () => {
    let available = false;
    const fakes = fakeActivities({
      route: async (input, taskQueue) =>
        available ? firstSupplierOf(['sim-b'])(input, taskQueue) : { kind: 'none-now', skipped: [] },
    });
    await withOrder(fakes, async (handle, input) => {
      await env().sleep('15s');
      available = true;
      await env().sleep('10s');
      await untilSubmitted(handle);
      await handle.signal(carrierCallbackSignal, supplierCallback(input.orderId, 1, 'sim-b', 'SUCCESS'));
      expect(await handle.result()).toMatchObject({ status: 'SUCCEEDED', supplierId: 'sim-b' });
    });
  });
});
