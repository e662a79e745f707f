import { WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { CarrierUnavailableError } from '../../src/carrier/client.ts';
import { OrderStatus } from '../../src/shared/order-status.ts';
import {
  carrierCallbackSignal,
  operatorDecisionSignal,
  orderStateQuery,
  resolveOrderUpdate,
  retryOrderUpdate,
} from '../../src/shared/order-workflow.ts';
import { NeedsReviewAttribute } from '../../src/shared/search-attributes.ts';
import { fakeActivities, gate } from './fake-activities.ts';
import { SLA_SECONDS, callback, useWorkflowTestEnv } from './workflow-env.ts';

const { env, withOrder, untilEscalated, untilSubmitted, recordHistory } = useWorkflowTestEnv();

/** The message an Update validator refused with. */
async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  return String((error as WorkflowUpdateFailedError).cause?.message);
}

describe('rechargeOrder workflow: operator actions', () => {
  it('resolves an escalated order through an Update that returns the result', async () => {
    const fakes = fakeActivities();
    await withOrder(fakes, async (handle) => {
      await untilEscalated(fakes, handle);
      const result = await handle.executeUpdate(resolveOrderUpdate, {
        args: [{ outcome: 'FAILED', note: 'carrier confirmed no credit', operator: 'alice' }],
      });
      expect(result).toEqual({ status: 'FAILED', message: 'resolved FAILED by alice' });
      expect(await handle.result()).toMatchObject({
        status: 'FAILED',
        resolvedBy: 'operator',
        reason: 'operator alice: carrier confirmed no credit',
      });
      await recordHistory(handle, 'operator-resolve');
    });
    expect(fakes.statuses()).toEqual([OrderStatus.PROCESSING, OrderStatus.ESCALATED, OrderStatus.FAILED]);
    expect(fakes.calls.transitions.at(-1)).toMatchObject({
      resolvedBy: 'operator',
      failureReason: 'operator alice: carrier confirmed no credit',
    });
  });

  it('refuses impossible actions in the Update validator, with a clear reason and no change', async () => {
    const fakes = fakeActivities();
    await withOrder(fakes, async (handle) => {
      expect(
        await refusal(
          handle.executeUpdate(resolveOrderUpdate, {
            args: [{ outcome: 'SUCCEEDED', note: 'early', operator: 'bob' }],
          }),
        ),
      ).toMatch(/^order is (PENDING|PROCESSING); operators decide ESCALATED orders$/);
      await untilEscalated(fakes, handle);
      expect(
        await refusal(
          handle.executeUpdate(resolveOrderUpdate, { args: [{ outcome: 'SUCCEEDED', note: '', operator: 'bob' }] }),
        ),
      ).toBe('a resolution needs a "note" saying why');
      await handle.executeUpdate(resolveOrderUpdate, {
        args: [{ outcome: 'SUCCEEDED', note: 'confirmed with carrier', operator: 'bob' }],
      });
      expect(
        await refusal(
          handle.executeUpdate(resolveOrderUpdate, {
            args: [{ outcome: 'FAILED', note: 'second thoughts', operator: 'carol' }],
          }),
        ),
      ).toBe('order is already decided: SUCCEEDED (operator)');
      expect(await handle.result()).toMatchObject({ status: 'SUCCEEDED' });
    });
    expect(fakes.statuses()).toEqual([OrderStatus.PROCESSING, OrderStatus.ESCALATED, OrderStatus.SUCCEEDED]);
  });

  it('takes decisions as signals too; a refused or malformed one is recorded and changes nothing', async () => {
    const fakes = fakeActivities();
    await withOrder(fakes, async (handle) => {
      await handle.signal(operatorDecisionSignal, {
        action: 'resolve',
        outcome: 'FAILED',
        note: 'too early',
        operator: 'bob',
      });
      await untilEscalated(fakes, handle);
      // "SUCCESS" is the carrier's word, not an order status
      await handle.signal(operatorDecisionSignal, {
        action: 'resolve',
        outcome: 'SUCCESS',
        note: 'typo',
        operator: 'bob',
      } as never);
      await handle.signal(operatorDecisionSignal, {
        action: 'resolve',
        outcome: 'SUCCEEDED',
        note: 'confirmed',
        operator: 'alice',
      });
      expect(await handle.result()).toMatchObject({ status: 'SUCCEEDED', resolvedBy: 'operator' });
      const refused = (await handle.query(orderStateQuery)).timeline
        .filter((e) => e.type === 'operator-decision-refused')
        .map((e) => e.detail?.reason);
      expect(refused).toEqual([
        expect.stringMatching(/^order is (PENDING|PROCESSING); operators decide ESCALATED orders$/),
        '"outcome" must be SUCCEEDED or FAILED',
      ]);
      await recordHistory(handle, 'operator-signals');
    });
    expect(fakes.statuses()).toEqual([OrderStatus.PROCESSING, OrderStatus.ESCALATED, OrderStatus.SUCCEEDED]);
  });

  it('refuses to resolve while a submission is still being retried', async () => {
    const fakes = fakeActivities({
      submit: async () => {
        throw new CarrierUnavailableError('carrier answered HTTP 503');
      },
    });
    // A short SLA, so the order escalates while its submit attempts (91 s of backoff) are still going on.
    await withOrder(
      fakes,
      async (handle) => {
        await env().sleep('5s');
        await fakes.reached(OrderStatus.ESCALATED);
        expect(
          await refusal(
            handle.executeUpdate(resolveOrderUpdate, {
              args: [{ outcome: 'FAILED', note: 'looks stuck', operator: 'alice' }],
            }),
          ),
        ).toBe('a submission to the carrier is still in progress; wait for its answer');
        await env().sleep('120s'); // every attempt has failed (~91 s of backoff): the outcome is open, and an operator may decide
        await handle.executeUpdate(resolveOrderUpdate, {
          args: [{ outcome: 'FAILED', note: 'carrier confirmed no credit', operator: 'alice' }],
        });
        expect(await handle.result()).toMatchObject({ status: 'FAILED', resolvedBy: 'operator' });
        await recordHistory(handle, 'escalated-while-submitting');
      },
      { slaSeconds: 5 },
    );
    expect(fakes.calls.submits).toHaveLength(8);
  });

  it('re-submits on an operator retry only after the carrier says it never got the order, as a new attempt', async () => {
    let carrierHasIt = false;
    const fakes = fakeActivities({
      submit: async (input, attempt) => {
        if (input.round === 1) throw new CarrierUnavailableError(`connection refused (attempt ${attempt})`);
        carrierHasIt = true;
        return { outcome: 'accepted', carrierOrderId: 'C-1' };
      },
      status: async () => (carrierHasIt ? { state: 'PROCESSING', carrierOrderId: 'C-1' } : { state: 'NOT_FOUND' }),
    });
    await withOrder(fakes, async (handle, input) => {
      await untilEscalated(fakes, handle);
      const result = await handle.executeUpdate(retryOrderUpdate, {
        args: [{ operator: 'alice', note: 'carrier is back' }],
      });
      // The deadline's status question found the order unknown to the supplier: nothing can be credited twice.
      expect(result).toEqual({ status: 'PROCESSING', message: 'no supplier has the order; routed again' });
      await untilSubmitted(handle);
      await handle.signal(carrierCallbackSignal, callback('SUCCESS'));
      expect(await handle.result()).toMatchObject({ status: 'SUCCEEDED' });
      const rounds = fakes.calls.submits.map((s) => [s.orderId, s.round]);
      expect(rounds.filter(([, round]) => round === 1)).toHaveLength(8);
      expect(rounds.filter(([, round]) => round === 2)).toEqual([[input.orderId, 2]]);
      await recordHistory(handle, 'operator-retry');
    });
    // Retries exhausted means the outcome is unknown, never a failure.
    expect(fakes.statuses()).toEqual([
      OrderStatus.UNKNOWN,
      OrderStatus.ESCALATED,
      OrderStatus.PROCESSING,
      OrderStatus.SUCCEEDED,
    ]);
  });

  it('does not re-submit on a retry while the carrier has the order', async () => {
    const fakes = fakeActivities();
    await withOrder(fakes, async (handle) => {
      await untilEscalated(fakes, handle);
      const result = await handle.executeUpdate(retryOrderUpdate, { args: [{ operator: 'alice' }] });
      expect(result).toEqual({
        status: 'ESCALATED',
        message: 'not re-submitted: the supplier already has the order (PROCESSING)',
      });
      await handle.executeUpdate(resolveOrderUpdate, {
        args: [{ outcome: 'SUCCEEDED', note: 'confirmed', operator: 'alice' }],
      });
      expect(await handle.result()).toMatchObject({ status: 'SUCCEEDED', resolvedBy: 'operator' });
      await recordHistory(handle, 'operator-retry-not-resubmitted');
    });
    expect(fakes.calls.submits).toHaveLength(1);
    // Every action lands in the order's history with who and why.
    expect(fakes.calls.events.map((e) => [e.type, e.detail.operator])).toEqual([
      ['operator-retry-requested', 'alice'],
      ['operator-retry-not-resubmitted', 'alice'],
      ['operator-resolved', 'alice'],
    ]);
  });

  it('refuses any decision while a retry is being checked, and never lets a payload switch the action', async () => {
    const statusAsked = gate();
    const answer = gate<{ state: 'NOT_FOUND' }>();
    let retryChecks = 0;
    const fakes = fakeActivities({
      status: async (input) => {
        if (input.purpose === 'sla-deadline') return { state: 'PROCESSING', carrierOrderId: 'C-1' };
        retryChecks++;
        statusAsked.open();
        return answer.promise;
      },
    });
    await withOrder(fakes, async (handle) => {
      await untilEscalated(fakes, handle);
      // A retry Update whose payload claims to be a resolution is still a retry.
      const retry = handle.executeUpdate(retryOrderUpdate, {
        args: [{ action: 'resolve', outcome: 'FAILED', note: 'x', operator: 'alice' } as never],
      });
      await statusAsked.promise;
      expect(
        await refusal(
          handle.executeUpdate(resolveOrderUpdate, { args: [{ outcome: 'FAILED', note: 'give up', operator: 'bob' }] }),
        ),
      ).toBe('a retry is under way; wait for its outcome');
      answer.open({ state: 'NOT_FOUND' });
      expect(await retry).toMatchObject({ status: 'PROCESSING' });
      await untilSubmitted(handle, 2);
      await handle.signal(carrierCallbackSignal, callback('SUCCESS'));
      expect(await handle.result()).toMatchObject({ status: 'SUCCEEDED', resolvedBy: 'carrier-callback' });
      await recordHistory(handle, 'operator-retry-checked');
    });
    expect(retryChecks).toBe(1);
    expect(fakes.calls.submits.map((s) => s.round)).toEqual([1, 2]);
  });

  it('keeps an operator decision when the carrier later contradicts it, and flags the order for review', async () => {
    const fakes = fakeActivities();
    await withOrder(fakes, async (handle) => {
      await untilEscalated(fakes, handle);
      await handle.executeUpdate(resolveOrderUpdate, {
        args: [{ outcome: 'FAILED', note: 'no answer from carrier', operator: 'alice' }],
      });
      await fakes.reached(OrderStatus.FAILED);
      await env().sleep(`${SLA_SECONDS}s`); // the workflow stays open for late callbacks
      await handle.signal(carrierCallbackSignal, callback('SUCCESS', '9'));
      expect(await handle.result()).toMatchObject({ status: 'FAILED', resolvedBy: 'operator' });
      expect((await handle.describe()).typedSearchAttributes.get(NeedsReviewAttribute)).toBe(true);
      await recordHistory(handle, 'operator-resolve-contradicted');
    });
    expect(fakes.statuses()).toEqual([OrderStatus.PROCESSING, OrderStatus.ESCALATED, OrderStatus.FAILED]);
    expect(fakes.calls.reviewFlags).toEqual([
      expect.stringContaining('carrier reported SUCCESS (callback 9) after the order was decided FAILED by operator'),
    ]);
  });
});
