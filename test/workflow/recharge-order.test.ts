import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CarrierUnavailableError } from '../../src/carrier/client.ts';
import { temporalTestServerPath } from '../../src/dev/temporal-binaries.ts';
import { OrderStatus } from '../../src/shared/order-status.ts';
import {
  carrierCallbackSignal,
  operatorDecisionSignal,
  orderStateQuery,
  type CarrierCallback,
  type RechargeOrderInput,
} from '../../src/shared/order-workflow.ts';
import { bundleOrderWorkflows } from '../../src/worker/create-worker.ts';
import type { rechargeOrder } from '../../src/workflows/recharge-order.ts';
import { fakeActivities, gate } from './fake-activities.ts';

const SLA_SECONDS = 180;
const HISTORIES_DIR = new URL('../fixtures/histories/', import.meta.url);

// Time skipping is global to an environment: one per file, tests run one at a time.
let env: TestWorkflowEnvironment;
let workflowBundle: WorkflowBundleOption;

beforeAll(async () => {
  env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } });
  workflowBundle = await bundleOrderWorkflows();
});
afterAll(async () => {
  await env?.teardown();
});

const callback = (status: 'SUCCESS' | 'FAILED', callbackId = '1', reason?: string): CarrierCallback => ({
  callbackId,
  carrierOrderId: 'C-1',
  status,
  timestamp: new Date().toISOString(),
  ...(reason && { reason }),
});

/** Runs a worker over the fakes on a queue of its own, starts one order, and hands its handle to `body`. */
async function withOrder(fakes: ReturnType<typeof fakeActivities>, body: (handle: WorkflowHandle<typeof rechargeOrder>, input: RechargeOrderInput) => Promise<void>) {
  const taskQueue = `test-${randomUUID()}`;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities: fakes.activities });
  const input: RechargeOrderInput = {
    orderId: randomUUID(),
    merchantOrderNo: `M-${randomUUID()}`,
    phone: '13812345678',
    carrier: 'CMCC',
    amountYuan: 50,
    submittedAt: new Date(await env.currentTimeMs()).toISOString(),
    slaSeconds: SLA_SECONDS,
  };
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start<typeof rechargeOrder>('rechargeOrder', { taskQueue, workflowId: `order-${input.orderId}`, args: [input] });
    await body(handle, input);
  });
}

/** Lets the SLA deadline pass in skipped time and waits until the workflow has escalated. */
async function untilEscalated(fakes: ReturnType<typeof fakeActivities>) {
  await env.sleep(`${SLA_SECONDS}s`);
  await fakes.reached(OrderStatus.ESCALATED);
}

/** With RECORD_HISTORIES=1, saves the finished workflow's history as a replay fixture. */
async function recordHistory(handle: WorkflowHandle, name: string) {
  if (!process.env.RECORD_HISTORIES) return;
  await writeFile(new URL(`${name}.json`, HISTORIES_DIR), historyToJSON(await handle.fetchHistory()));
}

describe('rechargeOrder workflow', () => {
  it('succeeds when the carrier calls back with success', async () => {
    const fakes = fakeActivities();
    await withOrder(fakes, async (handle) => {
      await handle.signal(carrierCallbackSignal, callback('SUCCESS'));
      expect(await handle.result()).toMatchObject({ status: 'SUCCEEDED', carrierOrderId: 'C-1', resolvedBy: 'carrier-callback' });
      await recordHistory(handle, 'success-by-callback');
    });
    expect(fakes.calls.submits).toHaveLength(1);
    expect(fakes.statuses()).toEqual([OrderStatus.SUCCEEDED]);
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
      await env.sleep('10s'); // lets the backoff timers pass
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
      expect(await handle.result()).toMatchObject({ status: 'FAILED', reason: 'number not in service', resolvedBy: 'carrier-refusal' });
      await recordHistory(handle, 'refused');
    });
    expect(fakes.calls.submits).toHaveLength(1);
    expect(fakes.calls.transitions.at(-1)).toMatchObject({ to: OrderStatus.FAILED, failureReason: 'number not in service' });
  });

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
    });
    expect(fakes.calls.submits).toHaveLength(1);
  });

  it('applies only the first of duplicate or contradicting callbacks', async () => {
    const fakes = fakeActivities();
    await withOrder(fakes, async (handle) => {
      await handle.signal(carrierCallbackSignal, callback('SUCCESS', '1'));
      await handle.signal(carrierCallbackSignal, callback('SUCCESS', '2'));
      await handle.signal(carrierCallbackSignal, callback('FAILED', '3', 'late contradiction'));
      expect(await handle.result()).toMatchObject({ status: 'SUCCEEDED' });
      const { timeline } = await handle.query(orderStateQuery);
      expect(timeline.filter((e) => e.type === 'callback-received')).toHaveLength(1);
      expect(timeline.filter((e) => e.type === 'callback-ignored')).toHaveLength(2);
    });
    expect(fakes.statuses()).toEqual([OrderStatus.SUCCEEDED]);
  });

  it('asks the carrier at the deadline when no callback came, and finishes on its answer', async () => {
    const fakes = fakeActivities({ status: async () => ({ state: 'SUCCESS', carrierOrderId: 'C-1' }) });
    await withOrder(fakes, async (handle) => {
      expect(await handle.result()).toMatchObject({ status: 'SUCCEEDED', resolvedBy: 'carrier-status' });
      await recordHistory(handle, 'status-query-at-deadline');
    });
    expect(fakes.calls.statusQueries).toEqual([expect.objectContaining({ purpose: 'sla-deadline' })]);
    expect(fakes.statuses()).toEqual([OrderStatus.SUCCEEDED]);
  });

  it('escalates exactly at the deadline when the outcome stays open, then takes a late callback', async () => {
    const fakes = fakeActivities();
    await withOrder(fakes, async (handle, input) => {
      await env.sleep(`${SLA_SECONDS - 1}s`);
      expect((await handle.query(orderStateQuery)).status).not.toBe(OrderStatus.ESCALATED);
      await fakes.reached(OrderStatus.ESCALATED);
      const escalation = fakes.calls.transitions.find((t) => t.to === OrderStatus.ESCALATED);
      const waitedMs = Date.parse(escalation?.escalatedAt ?? '') - Date.parse(input.submittedAt);
      expect(waitedMs).toBeGreaterThanOrEqual(SLA_SECONDS * 1000);
      expect(waitedMs).toBeLessThan(SLA_SECONDS * 1000 + 1000);

      await handle.signal(carrierCallbackSignal, callback('SUCCESS'));
      expect(await handle.result()).toMatchObject({ status: 'SUCCEEDED', resolvedBy: 'carrier-callback' });
      await recordHistory(handle, 'escalated-then-late-callback');
    });
    expect(fakes.statuses()).toEqual([OrderStatus.ESCALATED, OrderStatus.SUCCEEDED]);
  });

  it('lets an operator resolve an escalated order, with the note in the reason', async () => {
    const fakes = fakeActivities();
    await withOrder(fakes, async (handle) => {
      await untilEscalated(fakes);
      await handle.signal(operatorDecisionSignal, { action: 'resolve', outcome: 'FAILED', note: 'carrier confirmed by phone', operator: 'alice' });
      expect(await handle.result()).toMatchObject({ status: 'FAILED', resolvedBy: 'operator', reason: 'operator alice: carrier confirmed by phone' });
      await recordHistory(handle, 'operator-resolve');
    });
    expect(fakes.statuses()).toEqual([OrderStatus.ESCALATED, OrderStatus.FAILED]);
  });

  it('ignores an operator decision on an order that is not escalated', async () => {
    const fakes = fakeActivities();
    await withOrder(fakes, async (handle) => {
      await handle.signal(operatorDecisionSignal, { action: 'resolve', outcome: 'FAILED', note: 'too early', operator: 'bob' });
      await handle.signal(carrierCallbackSignal, callback('SUCCESS'));
      expect(await handle.result()).toMatchObject({ status: 'SUCCEEDED' });
      const { timeline } = await handle.query(orderStateQuery);
      expect(timeline.find((e) => e.type === 'decision-ignored')?.detail).toMatchObject({ operator: 'bob' });
    });
  });

  it('re-submits on an operator retry only after the carrier says it never got the order, with the same request id', async () => {
    let carrierHasIt = false;
    const resubmitted = gate();
    const fakes = fakeActivities({
      submit: async (input, attempt) => {
        if (input.round === 1) throw new CarrierUnavailableError(`connection refused (attempt ${attempt})`);
        carrierHasIt = true;
        resubmitted.open();
        return { outcome: 'accepted', carrierOrderId: 'C-1' };
      },
      status: async () => (carrierHasIt ? { state: 'PROCESSING', carrierOrderId: 'C-1' } : { state: 'NOT_FOUND' }),
    });
    await withOrder(fakes, async (handle, input) => {
      await untilEscalated(fakes);
      await handle.signal(operatorDecisionSignal, { action: 'retry', note: 'carrier is back', operator: 'alice' });
      await resubmitted.promise;
      await handle.signal(carrierCallbackSignal, callback('SUCCESS'));
      expect(await handle.result()).toMatchObject({ status: 'SUCCEEDED' });
      const rounds = fakes.calls.submits.map((s) => [s.orderId, s.round]);
      expect(rounds.filter(([, round]) => round === 1)).toHaveLength(8);
      expect(rounds.filter(([, round]) => round === 2)).toEqual([[input.orderId, 2]]);
      await recordHistory(handle, 'operator-retry');
    });
    // Retries exhausted means the outcome is unknown, never a failure.
    expect(fakes.statuses()).toEqual([OrderStatus.UNKNOWN, OrderStatus.ESCALATED, OrderStatus.PROCESSING, OrderStatus.SUCCEEDED]);
  });

  it('refuses an operator retry while the carrier has the order', async () => {
    const fakes = fakeActivities();
    await withOrder(fakes, async (handle) => {
      await untilEscalated(fakes);
      await handle.signal(operatorDecisionSignal, { action: 'retry', operator: 'alice' });
      await handle.signal(operatorDecisionSignal, { action: 'resolve', outcome: 'SUCCEEDED', note: 'confirmed', operator: 'alice' });
      expect(await handle.result()).toMatchObject({ status: 'SUCCEEDED', resolvedBy: 'operator' });
      const { timeline } = await handle.query(orderStateQuery);
      expect(timeline.find((e) => e.type === 'retry-refused')?.detail).toMatchObject({ reason: 'carrier already has the order (PROCESSING)' });
    });
    expect(fakes.calls.submits).toHaveLength(1);
  });
});
