import { describe, expect, it } from 'vitest';
import { CarrierUnavailableError } from '../../src/carrier/client.ts';
import { OrderStatus } from '../../src/shared/order-status.ts';
import { carrierCallbackSignal, orderStateQuery } from '../../src/shared/order-workflow.ts';
import {
  AmountYuanAttribute,
  CarrierAttribute,
  EscalatedAtAttribute,
  FinishedAtAttribute,
  MerchantIdAttribute,
  MerchantOrderNoAttribute,
  NeedsReviewAttribute,
  OrderStatusAttribute,
} from '../../src/shared/search-attributes.ts';
import { fakeActivities, gate } from './fake-activities.ts';
import { SLA_SECONDS, callback, useWorkflowTestEnv } from './workflow-env.ts';

const { env, withOrder, untilEscalated, untilSubmitted, recordHistory } = useWorkflowTestEnv();

describe('rechargeOrder workflow: carrier paths', () => {
  it('succeeds when the carrier calls back with success', async () => {
    const fakes = fakeActivities();
    await withOrder(fakes, async (handle) => {
      await untilSubmitted(handle);
      await handle.signal(carrierCallbackSignal, callback('SUCCESS'));
      expect(await handle.result()).toMatchObject({
        status: 'SUCCEEDED',
        carrierOrderId: 'C-1',
        resolvedBy: 'carrier-callback',
      });
      await recordHistory(handle, 'success-by-callback-attributes-at-start');
    });
    expect(fakes.calls.submits).toHaveLength(1);
    expect(fakes.statuses()).toEqual([OrderStatus.PROCESSING, OrderStatus.SUCCEEDED]);
  });

  it('makes itself searchable when started without search attributes (e.g. by `temporal workflow start`)', async () => {
    const fakes = fakeActivities();
    await withOrder(
      fakes,
      async (handle, input) => {
        await untilSubmitted(handle);
        await handle.signal(carrierCallbackSignal, callback('SUCCESS'));
        await handle.result();
        const { typedSearchAttributes } = await handle.describe();
        expect(typedSearchAttributes.get(MerchantIdAttribute)).toBe('merchant-1');
        expect(typedSearchAttributes.get(MerchantOrderNoAttribute)).toBe(input.merchantOrderNo);
        expect(typedSearchAttributes.get(OrderStatusAttribute)).toBe(OrderStatus.SUCCEEDED);
      },
      { merchantId: 'merchant-1' },
      { searchAttributesAtStart: false },
    );
  });

  it('retries transient carrier faults with backoff, reusing the order id as request id, then succeeds', async () => {
    const accepted = gate();
    const fakes = fakeActivities({
      submit: async (_input, attempt) => {
        if (attempt < 3) throw new CarrierUnavailableError('carrier answered HTTP 503');
        accepted.open();
        return { outcome: 'accepted', carrierOrderId: 'C-1' };
      },
    });
    await withOrder(fakes, async (handle, input) => {
      await env().sleep('10s'); // lets the backoff timers (1 s, 2 s) pass
      await accepted.promise;
      await handle.signal(carrierCallbackSignal, callback('SUCCESS'));
      expect(await handle.result()).toMatchObject({ status: 'SUCCEEDED' });
      expect(fakes.calls.submits.map((s) => [s.orderId, s.attempt])).toEqual([
        [input.orderId, 1],
        [input.orderId, 2],
        [input.orderId, 3],
      ]);
      await recordHistory(handle, 'transient-faults-then-success');
    });
  });

  it('ends FAILED with the carrier reason on a business refusal, without retrying', async () => {
    const fakes = fakeActivities({ submit: async () => ({ outcome: 'refused', reason: 'number not in service' }) });
    await withOrder(fakes, async (handle) => {
      expect(await handle.result()).toMatchObject({
        status: 'FAILED',
        reason: 'number not in service',
        resolvedBy: 'carrier-refusal',
      });
      await recordHistory(handle, 'refused');
    });
    expect(fakes.calls.submits).toHaveLength(1);
    expect(fakes.calls.transitions.at(-1)).toMatchObject({
      to: OrderStatus.FAILED,
      failureReason: 'number not in service',
      resolvedBy: 'carrier-refusal',
    });
  });

  it('applies the first callback, ignores a repeat, and flags a contradicting one for review', async () => {
    // The merchant notification holds the workflow open until every callback has been signalled.
    const signalled = gate();
    const fakes = fakeActivities({ notify: () => signalled.promise });
    await withOrder(
      fakes,
      async (handle) => {
        await untilSubmitted(handle);
        await handle.signal(carrierCallbackSignal, callback('SUCCESS', '1'));
        await handle.signal(carrierCallbackSignal, callback('SUCCESS', '2'));
        await handle.signal(carrierCallbackSignal, callback('FAILED', '3', 'late contradiction'));
        signalled.open();
        expect(await handle.result()).toMatchObject({ status: 'SUCCEEDED' });
        const { timeline, reviewReason } = await handle.query(orderStateQuery);
        expect(timeline.filter((e) => e.type === 'callback-received')).toHaveLength(1);
        expect(timeline.filter((e) => e.type === 'callback-ignored')).toHaveLength(1);
        expect(reviewReason).toMatch(/carrier reported FAILED .* after the order was decided SUCCEEDED/);
        expect((await handle.describe()).typedSearchAttributes.get(NeedsReviewAttribute)).toBe(true);
        await recordHistory(handle, 'callback-repeat-and-contradiction');
      },
      { notifyUrl: 'https://merchant.example/notify' },
    );
    expect(fakes.statuses()).toEqual([OrderStatus.PROCESSING, OrderStatus.SUCCEEDED]);
    expect(fakes.calls.reviewFlags).toHaveLength(1);
  });

  it('asks the carrier at the deadline when no callback came, and finishes on its answer', async () => {
    const fakes = fakeActivities({ status: async () => ({ state: 'SUCCESS', carrierOrderId: 'C-1' }) });
    await withOrder(fakes, async (handle) => {
      expect(await handle.result()).toMatchObject({ status: 'SUCCEEDED', resolvedBy: 'carrier-status' });
      await recordHistory(handle, 'status-query-at-deadline');
    });
    expect(fakes.calls.statusQueries).toEqual([expect.objectContaining({ purpose: 'sla-deadline' })]);
    expect(fakes.statuses()).toEqual([OrderStatus.PROCESSING, OrderStatus.SUCCEEDED]);
  });

  it('escalates exactly at the deadline when the outcome stays open, alerts, keeps search attributes current, then takes a late callback', async () => {
    const fakes = fakeActivities();
    await withOrder(fakes, async (handle, input) => {
      await env().sleep(`${SLA_SECONDS - 1}s`);
      expect((await handle.query(orderStateQuery)).status).toBe(OrderStatus.PROCESSING);
      await untilEscalated(fakes, handle);
      const escalation = fakes.calls.transitions.find((t) => t.to === OrderStatus.ESCALATED);
      const waitedMs = Date.parse(escalation?.escalatedAt ?? '') - Date.parse(input.submittedAt);
      expect(waitedMs).toBeGreaterThanOrEqual(SLA_SECONDS * 1000);
      expect(waitedMs).toBeLessThan(SLA_SECONDS * 1000 + 1000);

      const attributes = (await handle.describe()).typedSearchAttributes;
      expect(attributes.get(OrderStatusAttribute)).toBe('ESCALATED');
      expect(attributes.get(EscalatedAtAttribute)?.toISOString()).toBe(escalation?.escalatedAt);
      expect([
        attributes.get(CarrierAttribute),
        attributes.get(MerchantOrderNoAttribute),
        attributes.get(AmountYuanAttribute),
      ]).toEqual(['CMCC', input.merchantOrderNo, 50]);

      await handle.signal(carrierCallbackSignal, callback('SUCCESS'));
      expect(await handle.result()).toMatchObject({ status: 'SUCCEEDED', resolvedBy: 'carrier-callback' });
      expect((await handle.describe()).typedSearchAttributes.get(OrderStatusAttribute)).toBe('SUCCEEDED');
      await recordHistory(handle, 'escalated-then-late-callback');
    });
    expect(fakes.statuses()).toEqual([OrderStatus.PROCESSING, OrderStatus.ESCALATED, OrderStatus.SUCCEEDED]);
    expect(fakes.calls.alerts).toEqual([expect.objectContaining({ carrier: 'CMCC', amountYuan: 50 })]);
  });

  it('escalates rather than fails when the carrier status endpoint is down at the deadline', async () => {
    const fakes = fakeActivities({
      status: async () => {
        throw new CarrierUnavailableError('carrier unreachable: connect ECONNREFUSED');
      },
    });
    await withOrder(fakes, async (handle) => {
      await env().sleep(`${SLA_SECONDS + 120}s`); // the deadline, then every status attempt with its backoff
      await untilEscalated(fakes, handle);
      const { timeline } = await handle.query(orderStateQuery);
      expect(timeline.map((e) => e.type)).toContain('carrier-status-unavailable');
      await handle.signal(carrierCallbackSignal, callback('FAILED', '1', 'number suspended'));
      expect(await handle.result()).toMatchObject({ status: 'FAILED', reason: 'number suspended' });
      await recordHistory(handle, 'status-endpoint-down');
    });
    expect(fakes.calls.statusQueries.length).toBeGreaterThan(1); // retried before giving up
    expect(fakes.statuses()).toEqual([OrderStatus.PROCESSING, OrderStatus.ESCALATED, OrderStatus.FAILED]);
  });

  it('marks the outcome UNKNOWN, never FAILED, when every submit attempt fails', async () => {
    const fakes = fakeActivities({
      submit: async () => {
        throw new CarrierUnavailableError('carrier unreachable: timeout');
      },
    });
    await withOrder(fakes, async (handle) => {
      await env().sleep('120s'); // all 8 attempts with their backoff, still before the deadline
      await fakes.reached(OrderStatus.UNKNOWN);
      await handle.signal(carrierCallbackSignal, callback('SUCCESS'));
      expect(await handle.result()).toMatchObject({ status: 'SUCCEEDED' });
      await recordHistory(handle, 'all-attempts-failed-unknown');
    });
    expect(fakes.calls.submits).toHaveLength(8);
    expect(fakes.statuses()).toEqual([OrderStatus.UNKNOWN, OrderStatus.SUCCEEDED]);
  });

  // Last in the file: its submit activity outlives the workflow, which locks the time-skipping
  // server's clock until the activity's timeout passes in real time (see untilSubmitted).
  it('keeps a callback that arrives before the recharge activity returns', async () => {
    const entered = gate();
    const release = gate();
    const fakes = fakeActivities({
      submit: async () => {
        entered.open();
        await release.promise;
        return { outcome: 'accepted', carrierOrderId: 'C-1' };
      },
    });
    await withOrder(fakes, async (handle) => {
      await entered.promise;
      await handle.signal(carrierCallbackSignal, callback('SUCCESS'));
      release.open();
      expect(await handle.result()).toMatchObject({ status: 'SUCCEEDED', resolvedBy: 'carrier-callback' });
      await recordHistory(handle, 'callback-before-answer');
      // One upsert carries the final status, FinishedAt and the supplier; no patch left a TemporalChangeVersion or a marker.
      const events = (await handle.fetchHistory()).events ?? [];
      const upserts = events.flatMap((event) => {
        const fields = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
        return fields ? [Object.keys(fields).sort()] : [];
      });
      expect(upserts).toEqual([['FinishedAt', 'OrderStatus', 'Supplier']]);
      expect(events.filter((event) => event.markerRecordedEventAttributes?.markerName === 'core_patch')).toEqual([]);
      const attributes = (await handle.describe()).typedSearchAttributes;
      expect(attributes.get(OrderStatusAttribute)).toBe(OrderStatus.SUCCEEDED);
      expect(attributes.get(FinishedAtAttribute)).toBeInstanceOf(Date);
    });
    expect(fakes.calls.submits).toHaveLength(1);
  });
});
