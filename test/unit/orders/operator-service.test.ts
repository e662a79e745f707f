import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, expect, it, vi } from 'vitest';
import type { OrderRepository, OrderRow } from '../../../src/db/order-repository.ts';
import { createOperatorService } from '../../../src/orders/operator-service.ts';
import { OrderEvent } from '../../../src/shared/order-events.ts';
import { ORDER_ID, orderRow, stub } from '../routes/fake-app.ts';
import { fakeTemporal } from './fakes.ts';

type Method = (...args: never[]) => Promise<unknown>;
const decision = { outcome: 'FAILED' as const, note: 'no credit seen', operator: 'alice' };

function setup(order: OrderRow | null, { executeUpdate, start }: { executeUpdate?: Method; start?: Method } = {}) {
  const appendEvent = vi.fn<OrderRepository['appendEvent']>(async () => undefined);
  const updateSpy = vi.fn(executeUpdate ?? (async () => ({ status: 'FAILED', message: 'resolved FAILED by alice' })));
  const startSpy = vi.fn(
    start ?? (async () => ({ workflowId: `merchant-notification-${ORDER_ID}`, firstExecutionRunId: 'run-1' })),
  );
  const temporal = fakeTemporal({ executeUpdate: updateSpy }, startSpy);
  const orders = stub<OrderRepository>('orders', {
    findById: (async () => order) as unknown as OrderRepository['findById'],
    appendEvent,
  });
  const service = createOperatorService({ orders, temporal: temporal.client });
  return { service, appendEvent, executeUpdate: updateSpy, start: startSpy, temporal };
}
const failing = (error: Error) => async () => {
  throw error;
};

describe('operator service: resolve and retry', () => {
  it("runs the decision as an Update on the order's workflow, with a deadline", async () => {
    const { service, executeUpdate, temporal, appendEvent } = setup(orderRow({ status: 'ESCALATED' }));
    const before = Date.now();
    expect(await service.resolve(ORDER_ID, decision)).toEqual({
      kind: 'done',
      result: { status: 'FAILED', message: 'resolved FAILED by alice' },
    });
    expect(temporal.handles).toEqual([`recharge-order-${ORDER_ID}`]);
    expect(executeUpdate.mock.calls[0]?.[1]).toEqual({ args: [decision] });
    expect(temporal.deadlines[0]).toBeGreaterThanOrEqual(before + 15_000);
    expect(appendEvent).not.toHaveBeenCalled();
  });

  it("records the workflow's refusal in the order's history and returns its reason", async () => {
    const refusal = new WorkflowUpdateFailedError(
      'update failed',
      new Error('order is already decided: SUCCEEDED (operator)'),
    );
    const { service, appendEvent } = setup(orderRow({ status: 'SUCCEEDED' }), { executeUpdate: failing(refusal) });
    expect(await service.resolve(ORDER_ID, { ...decision, operator: 'bob' })).toEqual({
      kind: 'refused',
      reason: 'order is already decided: SUCCEEDED (operator)',
    });
    expect(appendEvent).toHaveBeenCalledWith(ORDER_ID, {
      key: expect.stringMatching(/^admin:/),
      type: OrderEvent.OPERATOR_ACTION_REFUSED,
      detail: { action: 'resolve', operator: 'bob', reason: 'order is already decided: SUCCEEDED (operator)' },
    });
  });

  it.each([
    ['PENDING', 'order is PENDING and its workflow has not started yet'],
    ['FAILED', 'order is FAILED and its workflow is closed'],
  ] as const)('refuses (and records) an action on a %s order without a workflow', async (status, reason) => {
    const { service, appendEvent } = setup(orderRow({ status }), {
      executeUpdate: failing(new WorkflowNotFoundError('not found', `recharge-order-${ORDER_ID}`, undefined)),
    });
    expect(await service.retry(ORDER_ID, { operator: 'carol' })).toEqual({ kind: 'refused', reason });
    expect(appendEvent.mock.calls[0]?.[1]).toMatchObject({
      type: OrderEvent.OPERATOR_ACTION_REFUSED,
      detail: { action: 'retry', operator: 'carol', reason },
    });
  });

  it('reports a workflow that did not answer in time (gRPC deadline or unavailable, however wrapped), recording nothing', async () => {
    for (const code of [4, 14]) {
      const wrapped = new Error('update call failed', { cause: Object.assign(new Error('grpc'), { code }) });
      const { service, appendEvent } = setup(orderRow({ status: 'ESCALATED' }), { executeUpdate: failing(wrapped) });
      expect(await service.resolve(ORDER_ID, decision)).toEqual({ kind: 'unavailable', waitedSeconds: 15 });
      expect(appendEvent).not.toHaveBeenCalled();
    }
  });

  it('lets an unexpected failure through', async () => {
    const { service } = setup(orderRow({ status: 'ESCALATED' }), { executeUpdate: failing(new Error('bug')) });
    await expect(service.resolve(ORDER_ID, decision)).rejects.toThrow('bug');
  });

  it('reports an unknown order without asking any workflow', async () => {
    const { service, temporal } = setup(null);
    expect(await service.resolve(ORDER_ID, decision)).toEqual({ kind: 'order-not-found' });
    expect(temporal.handles).toEqual([]);
  });
});

describe('operator service: re-sending the result notification', () => {
  it.each([
    [orderRow({ status: 'SUCCEEDED', notifyUrl: null }), 'the order has no notifyUrl'],
    [
      orderRow({ status: 'ESCALATED', notifyUrl: 'https://merchant.test/n' }),
      'order is ESCALATED; only final results are sent',
    ],
  ])('refuses (and records) a re-send that cannot be done: %#', async (order, reason) => {
    const { service, appendEvent, start } = setup(order);
    expect(await service.resendNotification(ORDER_ID, { operator: 'alice' })).toEqual({ kind: 'refused', reason });
    expect(appendEvent.mock.calls[0]?.[1]).toMatchObject({
      type: OrderEvent.OPERATOR_ACTION_REFUSED,
      detail: { action: 'resend-notification', operator: 'alice', reason },
    });
    expect(start).not.toHaveBeenCalled();
  });

  it('starts (or joins) the notification workflow of a final order and records who asked', async () => {
    const { service, appendEvent, start } = setup(orderRow({ status: 'FAILED', notifyUrl: 'https://merchant.test/n' }));
    expect(await service.resendNotification(ORDER_ID, { operator: 'alice', note: 'merchant lost it' })).toEqual({
      kind: 'started',
      workflowId: `merchant-notification-${ORDER_ID}`,
    });
    expect(start.mock.calls[0]?.[1]).toMatchObject({
      workflowId: `merchant-notification-${ORDER_ID}`,
      args: [ORDER_ID],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    expect(appendEvent.mock.calls[0]?.[1]).toMatchObject({
      type: OrderEvent.NOTIFICATION_RESEND_REQUESTED,
      detail: { operator: 'alice', note: 'merchant lost it', runId: 'run-1' },
    });
  });
});
