import { describe, expect, it } from 'vitest';
import { MerchantUnreachableError } from '../../src/activities/merchant-notification.ts';
import { carrierCallbackSignal, orderStateQuery } from '../../src/shared/order-workflow.ts';
import { fakeActivities } from './fake-activities.ts';
import { callback, useWorkflowTestEnv } from './workflow-env.ts';

const { withOrder, untilSubmitted, recordHistory } = useWorkflowTestEnv();
const notifyUrl = 'https://merchant.example/notify';

describe('rechargeOrder workflow: telling the merchant', () => {
  it('notifies the merchant of the final result, retrying until it answers', async () => {
    const fakes = fakeActivities({
      notify: async (_orderId, attempt) => {
        if (attempt < 3) throw new MerchantUnreachableError('merchant answered HTTP 502');
      },
    });
    await withOrder(
      fakes,
      async (handle, input) => {
        await untilSubmitted(handle);
        await handle.signal(carrierCallbackSignal, callback('SUCCESS'));
        expect(await handle.result()).toMatchObject({ status: 'SUCCEEDED' });
        expect(fakes.calls.notifications).toEqual([1, 2, 3].map((attempt) => ({ orderId: input.orderId, attempt })));
        expect((await handle.query(orderStateQuery)).timeline.at(-1)).toMatchObject({
          type: 'merchant-notification-done',
          detail: { result: 'DELIVERED' },
        });
        await recordHistory(handle, 'merchant-notified');
      },
      { notifyUrl },
    );
  });

  it('gives up after the one-day retry window and records it', async () => {
    const fakes = fakeActivities({
      notify: async () => {
        throw new MerchantUnreachableError('merchant unreachable: ECONNREFUSED');
      },
    });
    await withOrder(
      fakes,
      async (handle, input) => {
        await untilSubmitted(handle);
        await handle.signal(carrierCallbackSignal, callback('FAILED', '1', 'number suspended'));
        expect(await handle.result()).toMatchObject({ status: 'FAILED' });
        expect(fakes.calls.notificationsGivenUp).toEqual([input.orderId]);
        // Growing intervals capped at an hour over a day: a few dozen attempts, not thousands.
        expect(fakes.calls.notifications.length).toBeGreaterThan(20);
        expect(fakes.calls.notifications.length).toBeLessThan(50);
        await recordHistory(handle, 'notification-gave-up');
      },
      { notifyUrl },
    );
  });

  it('does not notify when the order has no notifyUrl', async () => {
    const fakes = fakeActivities();
    await withOrder(fakes, async (handle) => {
      await untilSubmitted(handle);
      await handle.signal(carrierCallbackSignal, callback('SUCCESS'));
      await handle.result();
    });
    expect(fakes.calls.notifications).toEqual([]);
  });
});
