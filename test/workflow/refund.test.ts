import { describe, expect, it } from 'vitest';
import { OrderStatus } from '../../src/shared/order-status.ts';
import { carrierCallbackSignal, orderStateQuery, resolveOrderUpdate } from '../../src/shared/order-workflow.ts';
import { fakeActivities } from './fake-activities.ts';
import { callback, useWorkflowTestEnv } from './workflow-env.ts';

const { withOrder, untilEscalated, untilSubmitted, recordHistory } = useWorkflowTestEnv();

describe('rechargeOrder workflow: the refund of a failed order (saga compensation)', () => {
  it('refunds a refused order once, after the view shows it FAILED and before the merchant is told', async () => {
    const fakes = fakeActivities({ submit: async () => ({ outcome: 'refused', reason: 'number not in service' }) });
    await withOrder(
      fakes,
      async (handle, input) => {
        expect(await handle.result()).toMatchObject({ status: 'FAILED', resolvedBy: 'carrier-refusal' });
        // No supplier took it: the order goes from PENDING straight to FAILED.
        expect(fakes.calls.refunds).toEqual([
          { orderId: input.orderId, attempt: 1, statusesBefore: [OrderStatus.FAILED] },
        ]);
        const { timeline } = await handle.query(orderStateQuery);
        expect(timeline.map((entry) => entry.type).slice(-2)).toEqual(['refunded', 'merchant-notification-done']);
        expect(timeline.find((entry) => entry.type === 'refunded')?.detail).toEqual({
          outcome: 'refunded',
          amountFen: 5000,
        });
        await recordHistory(handle, 'refused-refunded');
      },
      { notifyUrl: 'https://merchant.example/notify' },
    );
    expect(fakes.calls.notifications).toHaveLength(1);
  });

  it('never refunds a succeeded order', async () => {
    const fakes = fakeActivities();
    await withOrder(fakes, async (handle) => {
      await untilSubmitted(handle);
      await handle.signal(carrierCallbackSignal, callback('SUCCESS'));
      await handle.signal(carrierCallbackSignal, callback('FAILED', '2')); // a contradiction is flagged, never refunded
      expect(await handle.result()).toMatchObject({ status: 'SUCCEEDED' });
    });
    expect(fakes.calls.refunds).toEqual([]);
    expect(fakes.calls.reviewFlags).toHaveLength(1);
  });

  it('does not refund an escalated order, and refunds it once an operator decides it FAILED', async () => {
    const fakes = fakeActivities();
    await withOrder(fakes, async (handle) => {
      await untilEscalated(fakes, handle);
      expect(fakes.calls.refunds).toEqual([]);
      await handle.executeUpdate(resolveOrderUpdate, {
        args: [{ outcome: 'FAILED', note: 'carrier confirmed no credit', operator: 'alice' }],
      });
      expect(await handle.result()).toMatchObject({ status: 'FAILED', resolvedBy: 'operator' });
      await recordHistory(handle, 'operator-failed-refunded');
    });
    expect(fakes.calls.refunds.map((r) => r.statusesBefore)).toEqual([
      [OrderStatus.PROCESSING, OrderStatus.ESCALATED, OrderStatus.FAILED],
    ]);
  });

  it('tells the reviewer that a refund went out when the carrier later says it credited the phone', async () => {
    const fakes = fakeActivities();
    await withOrder(fakes, async (handle) => {
      await untilEscalated(fakes, handle);
      await handle.executeUpdate(resolveOrderUpdate, {
        args: [{ outcome: 'FAILED', note: 'carrier confirmed no credit', operator: 'alice' }],
      });
      await fakes.reached(OrderStatus.FAILED);
      await handle.signal(carrierCallbackSignal, callback('SUCCESS', '7'));
      expect((await handle.query(orderStateQuery)).reviewReason).toBe(
        "carrier reported SUCCESS (callback 7) after the order was decided FAILED by operator; the order's cost was refunded: if the phone was credited, recover it with a ledger adjustment",
      );
    });
    expect(fakes.calls.refunds).toHaveLength(1);
    expect(fakes.calls.reviewFlags).toHaveLength(1);
  });

  it('retries a failing refund until it goes through', async () => {
    const fakes = fakeActivities({
      submit: async () => ({ outcome: 'refused', reason: 'number not in service' }),
      refund: async (_orderId, attempt) => {
        if (attempt < 3) throw new Error('database unavailable');
        return { outcome: 'refunded', amountFen: 5000 };
      },
    });
    await withOrder(fakes, async (handle) => {
      expect(await handle.result()).toMatchObject({ status: 'FAILED' });
    });
    expect(fakes.calls.refunds.map((r) => r.attempt)).toEqual([1, 2, 3]);
  });
});
