import { describe, expect, it } from 'vitest';
import { OrderStatus } from '../../src/shared/order-status.ts';
import { carrierCallbackSignal, orderStateQuery } from '../../src/shared/order-workflow.ts';
import { ProvinceAttribute, SpeedAttribute } from '../../src/shared/search-attributes.ts';
import { fakeActivities } from './fake-activities.ts';
import { closeByOperator, supplierCallback, useWorkflowTestEnv } from './workflow-env.ts';

const { env, withOrder, untilSubmitted } = useWorkflowTestEnv();

const HOUR_MS = 3_600_000;
/** A slow order (慢充) of a Shenzhen number, with the default slow SLA of a day. */
const SLOW = { speed: 'slow', province: '广东', city: '深圳', slaSeconds: 86_400 } as const;

describe('rechargeOrder workflow: slow orders, a day-long durable timer', () => {
  it('waits 20 hours for the supplier without escalating or asking, then succeeds on its callback', async () => {
    const fakes = fakeActivities();
    await withOrder(
      fakes,
      async (handle, input) => {
        await untilSubmitted(handle);
        await env().sleep(20 * HOUR_MS);
        const waiting = await handle.query(orderStateQuery);
        expect(waiting.status).toBe(OrderStatus.PROCESSING);
        expect(fakes.calls.statusQueries).toEqual([]);
        await handle.signal(carrierCallbackSignal, supplierCallback(input.orderId, 1, 'sim-a', 'SUCCESS'));
        expect(await handle.result()).toMatchObject({ status: 'SUCCEEDED', supplierId: 'sim-a' });
        const finishedAt = Date.parse(fakes.calls.transitions.at(-1)?.finishedAt ?? '');
        expect(finishedAt - Date.parse(input.submittedAt)).toBeGreaterThanOrEqual(20 * HOUR_MS);
        const { typedSearchAttributes } = await handle.describe();
        expect(typedSearchAttributes.get(ProvinceAttribute)).toBe('广东');
        expect(typedSearchAttributes.get(SpeedAttribute)).toBe('slow');
      },
      SLOW,
    );
    // Routing is asked for a supplier of the number's province that sells slow recharge.
    expect(fakes.calls.routes[0]).toMatchObject({ province: '广东', speed: 'slow' });
    expect(fakes.statuses()).toEqual([OrderStatus.PROCESSING, OrderStatus.SUCCEEDED]);
    expect(fakes.calls.alerts).toEqual([]);
  });

  it('asks the supplier and escalates at 24 hours, not before', async () => {
    const fakes = fakeActivities();
    await withOrder(
      fakes,
      async (handle, input) => {
        await untilSubmitted(handle);
        await env().sleep(23 * HOUR_MS);
        expect((await handle.query(orderStateQuery)).status).toBe(OrderStatus.PROCESSING);
        expect(fakes.calls.statusQueries).toEqual([]);
        await env().sleep(HOUR_MS);
        await fakes.reached(OrderStatus.ESCALATED);
        const { escalatedAt } = await handle.query(orderStateQuery);
        const deadline = Date.parse(input.submittedAt) + SLOW.slaSeconds * 1000;
        expect(Date.parse(escalatedAt as string)).toBeGreaterThanOrEqual(deadline);
        expect(Date.parse(escalatedAt as string)).toBeLessThan(deadline + 60_000);
        await closeByOperator(handle);
      },
      SLOW,
    );
    // At the deadline the supplier was asked first (it still said PROCESSING), then an operator was alerted.
    expect(fakes.calls.statusQueries.map((q) => q.purpose)).toContain('sla-deadline');
    expect(fakes.calls.alerts).toHaveLength(1);
  });
});
