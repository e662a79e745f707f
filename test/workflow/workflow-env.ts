import { randomUUID } from 'node:crypto';
import { setTimeout } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { afterAll, beforeAll, expect } from 'vitest';
import { temporalTestServerPath } from '../../src/dev/temporal-binaries.ts';
import { OrderStatus } from '../../src/shared/order-status.ts';
import {
  orderStateQuery,
  resolveOrderUpdate,
  type CarrierCallback,
  type RechargeOrderInput,
} from '../../src/shared/order-workflow.ts';
import { supplierRequestId } from '../../src/shared/suppliers.ts';
import { newOrderSearchAttributes } from '../../src/shared/search-attributes.ts';
import { registerOrderSearchAttributes } from '../../src/temporal/search-attributes.ts';
import { bundleOrderWorkflows } from '../../src/worker/create-worker.ts';
import type { rechargeOrder } from '../../src/workflows/recharge-order.ts';
import type { fakeActivities } from './fake-activities.ts';
import { recordHistory } from './history-fixtures.ts';

export const SLA_SECONDS = 180;

type Fakes = ReturnType<typeof fakeActivities>;
export type OrderHandle = WorkflowHandle<typeof rechargeOrder>;

export const callback = (status: 'SUCCESS' | 'FAILED', callbackId = '1', reason?: string): CarrierCallback => ({
  callbackId,
  carrierOrderId: 'C-1',
  status,
  timestamp: new Date().toISOString(),
  ...(reason && { reason }),
});

/** A supplier's callback about one attempt, as the API forwards it. */
export const supplierCallback = (
  orderId: string,
  attempt: number,
  supplierId: string,
  status: 'SUCCESS' | 'FAILED',
  callbackId = String(attempt),
): CarrierCallback => ({
  ...callback(status, callbackId, status === 'FAILED' ? 'carrier could not credit the number' : undefined),
  supplierId,
  requestId: supplierRequestId(orderId, attempt),
});

/** Ends an escalated order, so nothing of it (its alert) is still running when the test's worker stops. */
export async function closeByOperator(handle: OrderHandle) {
  await handle.executeUpdate(resolveOrderUpdate, {
    args: [{ outcome: 'FAILED', note: 'test over', operator: 'alice' }],
  });
  await handle.result();
}

/**
 * A time-skipping test server for one test file (skipping is global to a
 * server, so tests in a file run one at a time), with helpers to run one
 * order workflow over fake activities.
 */
export function useWorkflowTestEnv() {
  let env: TestWorkflowEnvironment;
  let workflowBundle: WorkflowBundleOption;

  beforeAll(async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
    });
    await registerOrderSearchAttributes(env.connection, env.namespace ?? 'default');
    workflowBundle = await bundleOrderWorkflows();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  return {
    env: () => env,
    bundle: () => workflowBundle,

    /** Runs a worker over the fakes on a queue of its own, starts one order, and hands its handle to `body`. */
    withOrder: async (
      fakes: Fakes,
      body: (handle: OrderHandle, input: RechargeOrderInput) => Promise<void>,
      extra: Partial<RechargeOrderInput> = {},
      /** As the API starts orders; false: as a bare `temporal workflow start` would. */
      { searchAttributesAtStart = true } = {},
    ) => {
      const taskQueue = `test-${randomUUID()}`;
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle,
        activities: fakes.activities,
      });
      const input: RechargeOrderInput = {
        orderId: randomUUID(),
        merchantOrderNo: `M-${randomUUID()}`,
        phone: '13812345678',
        carrier: 'CMCC',
        amountYuan: 50,
        submittedAt: new Date(await env.currentTimeMs()).toISOString(),
        slaSeconds: SLA_SECONDS,
        ...extra,
      };
      await worker.runUntil(async () => {
        const handle = await env.client.workflow.start<typeof rechargeOrder>('rechargeOrder', {
          taskQueue,
          workflowId: `order-${input.orderId}`,
          args: [input],
          ...(searchAttributesAtStart && { typedSearchAttributes: newOrderSearchAttributes(input) }),
        });
        await body(handle, input);
      });
    },

    /**
     * Lets the SLA deadline pass in skipped time and waits until the workflow
     * has escalated: the view write, then a query, which the server answers
     * only after that workflow task (and its search attribute update) completed.
     */
    untilEscalated: async (fakes: Fakes, handle: OrderHandle) => {
      await env.sleep(`${SLA_SECONDS}s`);
      await fakes.reached(OrderStatus.ESCALATED);
      expect((await handle.query(orderStateQuery)).status).toBe(OrderStatus.ESCALATED);
    },

    /**
     * Waits until the workflow has taken the carrier's answer to `count`
     * submissions. A test that signals the result earlier can close the
     * workflow while its submit activity still runs; the time-skipping server
     * then keeps its clock locked for that activity until the activity's
     * 30 s timeout passes in real time, and later tests in the file stall.
     */
    untilSubmitted: async (handle: OrderHandle, count = 1) => {
      const answered = async () =>
        (await handle.query(orderStateQuery)).timeline.filter((entry) =>
          /^carrier-(accepted|refused)$/.test(entry.type),
        ).length >= count;
      while (!(await answered())) await setTimeout(20);
    },

    recordHistory,
  };
}
