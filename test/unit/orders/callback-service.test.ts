import { WorkflowNotFoundError } from '@temporalio/client';
import { describe, expect, it, vi } from 'vitest';
import type { CarrierCallbackBody } from '../../../src/carrier/protocol.ts';
import type { OrderRepository, RecordedCallback } from '../../../src/db/order-repository.ts';
import { createCallbackService } from '../../../src/orders/callback-service.ts';
import type { ReversalService } from '../../../src/orders/reversal-service.ts';
import { OrderEvent } from '../../../src/shared/order-events.ts';
import { ORDER_ID } from '../routes/fake-app.ts';
import { fakeLogger, fakeTemporal } from './fakes.ts';

const callback: CarrierCallbackBody = {
  orderId: ORDER_ID,
  carrierOrderId: 'C-1',
  status: 'SUCCESS',
  timestamp: '2026-11-23T12:00:00Z',
};
const received = { callback, rawBody: JSON.stringify(callback), signature: 'ab'.repeat(32) };
const workflowGone = async () => {
  throw new WorkflowNotFoundError('workflow not found', `recharge-order-${ORDER_ID}`, undefined);
};

function setup(
  recorded: RecordedCallback | undefined,
  signal: (...args: never[]) => Promise<unknown> = async () => undefined,
) {
  const recordCallback = vi.fn<OrderRepository['recordCallback']>(async () => recorded);
  const flagForReview = vi.fn<OrderRepository['flagForReview']>(async () => undefined);
  const fromSupplier = vi.fn<ReversalService['fromSupplier']>(async ({ orderId }) => ({
    kind: 'started',
    workflowId: `order-reversal-${orderId}`,
  }));
  const signalSpy = vi.fn(signal);
  const temporal = fakeTemporal({ signal: signalSpy });
  const log = fakeLogger();
  const service = createCallbackService({
    orders: { recordCallback, flagForReview, recordRefusedCallback: vi.fn(async () => undefined) },
    reversals: { fromSupplier },
    temporal: temporal.client,
    logger: log.logger,
  });
  return { service, recordCallback, flagForReview, fromSupplier, signal: signalSpy, temporal, log };
}

describe('callback service', () => {
  it("stores the callback, then signals the order's workflow with the stored record's id", async () => {
    const { service, recordCallback, signal, temporal } = setup({
      callbackId: '42',
      orderStatus: 'PROCESSING',
      resolvedBy: null,
      supplierId: null,
    });
    expect(
      await service.receive({
        ...received,
        callback: { ...callback, status: 'FAILED', reason: 'number not in service' },
      }),
    ).toEqual({ kind: 'forwarded' });
    expect(recordCallback).toHaveBeenCalledWith(ORDER_ID, received.rawBody, received.signature, {
      status: 'FAILED',
      carrierOrderId: 'C-1',
    });
    expect(temporal.handles).toEqual([`recharge-order-${ORDER_ID}`]);
    expect(signal.mock.calls[0]?.[1]).toEqual({
      callbackId: '42',
      carrierOrderId: 'C-1',
      status: 'FAILED',
      timestamp: callback.timestamp,
      reason: 'number not in service',
    });
  });

  it('signals a decided order too: its workflow may still be open and must see a contradiction', async () => {
    const { service, signal, flagForReview } = setup({
      callbackId: '42',
      orderStatus: 'FAILED',
      resolvedBy: 'operator',
      supplierId: null,
    });
    expect(await service.receive(received)).toEqual({ kind: 'forwarded' });
    expect(signal).toHaveBeenCalledOnce();
    expect(flagForReview).not.toHaveBeenCalled(); // the open workflow decides
  });

  it('reports an unknown order and signals nothing', async () => {
    const { service, signal } = setup(undefined);
    expect(await service.receive(received)).toEqual({ kind: 'order-not-found' });
    expect(signal).not.toHaveBeenCalled();
  });

  it('asks for a re-send when the order is open but its workflow is not running', async () => {
    const { service, flagForReview, log } = setup(
      { callbackId: '42', orderStatus: 'PENDING', resolvedBy: null, supplierId: null },
      workflowGone,
    );
    expect(await service.receive(received)).toEqual({ kind: 'workflow-not-running' });
    expect(flagForReview).not.toHaveBeenCalled();
    expect(log.error).toHaveBeenCalledOnce();
  });

  it('leaves a closed, decided order alone when the carrier agrees', async () => {
    const { service, flagForReview } = setup(
      { callbackId: '42', orderStatus: 'SUCCEEDED', resolvedBy: 'carrier-status', supplierId: null },
      workflowGone,
    );
    expect(await service.receive(received)).toEqual({
      kind: 'already-decided',
      status: 'SUCCEEDED',
      flaggedForReview: false,
    });
    expect(flagForReview).not.toHaveBeenCalled();
  });

  it('takes a late copy of the SUCCESS callback of an order reversed since as a repeat, not a contradiction', async () => {
    const { service, flagForReview } = setup(
      { callbackId: '44', orderStatus: 'REVERSED', resolvedBy: 'carrier-callback', supplierId: null },
      workflowGone,
    );
    expect(await service.receive(received)).toEqual({
      kind: 'already-decided',
      status: 'REVERSED',
      flaggedForReview: false,
    });
    expect(flagForReview).not.toHaveBeenCalled();
  });

  it('flags a closed, decided order the carrier contradicts, saying who decided and that the cost was refunded', async () => {
    const { service, flagForReview } = setup(
      { callbackId: '42', orderStatus: 'FAILED', resolvedBy: 'operator', supplierId: null },
      workflowGone,
    );
    expect(await service.receive(received)).toEqual({
      kind: 'already-decided',
      status: 'FAILED',
      flaggedForReview: true,
    });
    const reason =
      "carrier reported SUCCESS (callback 42) after the order was decided FAILED by operator; the order's cost was refunded: if the phone was credited, recover it with a ledger adjustment";
    expect(flagForReview).toHaveBeenCalledWith(ORDER_ID, reason, {
      key: 'contradiction:42',
      type: OrderEvent.CONTRADICTION_FLAGGED,
      detail: { reason, callbackId: '42' },
    });
  });

  it("takes a supplier's callback by the attempt's request id, and tells the workflow which supplier and attempt it is about", async () => {
    const { service, recordCallback, signal, temporal } = setup({
      callbackId: '42',
      orderStatus: 'PROCESSING',
      resolvedBy: null,
      supplierId: 'sim-b',
    });
    const fromSupplier = { ...callback, orderId: `${ORDER_ID}-2` };
    expect(await service.receive({ ...received, callback: fromSupplier, supplierId: 'sim-b' })).toEqual({
      kind: 'forwarded',
    });
    expect(recordCallback).toHaveBeenCalledWith(ORDER_ID, received.rawBody, received.signature, {
      status: 'SUCCESS',
      carrierOrderId: 'C-1',
      supplierId: 'sim-b',
      requestId: `${ORDER_ID}-2`,
    });
    expect(temporal.handles).toEqual([`recharge-order-${ORDER_ID}`]);
    expect(signal.mock.calls[0]?.[1]).toMatchObject({ supplierId: 'sim-b', requestId: `${ORDER_ID}-2` });
  });

  it("hands a supplier's REVERSED callback, stored first, to the order's reversal and never to the order's workflow", async () => {
    const { service, recordCallback, fromSupplier, signal } = setup({
      callbackId: '43',
      orderStatus: 'SUCCEEDED',
      resolvedBy: 'carrier-callback',
      supplierId: 'sim-b',
    });
    const reversed = { ...callback, orderId: `${ORDER_ID}-1`, status: 'REVERSED' as const, reason: 'chargeback' };
    expect(await service.receive({ ...received, callback: reversed, supplierId: 'sim-b' })).toEqual({
      kind: 'reversal',
      reversal: { kind: 'started', workflowId: `order-reversal-${ORDER_ID}` },
    });
    expect(recordCallback).toHaveBeenCalledOnce();
    expect(fromSupplier).toHaveBeenCalledWith({
      orderId: ORDER_ID,
      source: 'supplier',
      by: 'sim-b',
      callbackId: '43',
      carrierOrderId: 'C-1',
      note: 'chargeback',
    });
    expect(signal).not.toHaveBeenCalled();
  });

  it('answers 404 to a supplier callback whose request id is none of ours', async () => {
    const { service, recordCallback } = setup(undefined);
    expect(await service.receive({ ...received, supplierId: 'sim-b' })).toEqual({ kind: 'order-not-found' });
    expect(recordCallback).not.toHaveBeenCalled();
  });

  it('does not flag a closed order when a supplier it moved on from reports FAILED, but does when that supplier reports SUCCESS', async () => {
    const closed = {
      callbackId: '42',
      orderStatus: 'SUCCEEDED' as const,
      resolvedBy: 'carrier-callback',
      supplierId: 'sim-b',
    };
    const failedAtA = {
      ...received,
      callback: { ...callback, orderId: `${ORDER_ID}-1`, status: 'FAILED' as const },
      supplierId: 'sim-a',
    };
    const quiet = setup(closed, workflowGone);
    expect(await quiet.service.receive(failedAtA)).toEqual({
      kind: 'already-decided',
      status: 'SUCCEEDED',
      flaggedForReview: false,
    });
    expect(quiet.flagForReview).not.toHaveBeenCalled();
    const failedOrder = setup({ ...closed, orderStatus: 'FAILED', supplierId: null }, workflowGone);
    const creditedAtA = { ...failedAtA, callback: { ...failedAtA.callback, status: 'SUCCESS' as const } };
    expect(await failedOrder.service.receive(creditedAtA)).toMatchObject({ flaggedForReview: true });
  });

  it('lets any other Temporal failure through (a 500: the carrier re-sends) without flagging', async () => {
    const unavailable = async () => {
      throw Object.assign(new Error('14 UNAVAILABLE'), { code: 14 });
    };
    const { service, flagForReview } = setup(
      { callbackId: '42', orderStatus: 'FAILED', resolvedBy: 'operator', supplierId: null },
      unavailable,
    );
    await expect(service.receive(received)).rejects.toThrow('14 UNAVAILABLE');
    expect(flagForReview).not.toHaveBeenCalled();
  });
});
