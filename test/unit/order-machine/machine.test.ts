import { describe, expect, it } from 'vitest';
import { WORKFLOW_RECORDS_CARRIER_ANSWERS } from '../../../src/workflows/order/state.ts';
import { refusalReason, waitDeadline } from '../../../src/workflows/order/machine.ts';
import { newOrder, resumedOrder } from '../../../src/workflows/order/state.ts';
import { SLA_MS, SUBMITTED_AT, accepted, callback, deadline, escalated, facts, feed, ofType, refused, resolve, retry, statusSays, step, submitted } from './fixtures.ts';

describe('order machine: the carrier path', () => {
  it('sends the first submission as its first step, with the deadline counted from acceptance', () => {
    const order = newOrder(facts());
    expect(step(order)).toBe('submit');
    const { machine, commands } = feed(order, [{ type: 'step', step: 'submit' }]);
    expect(commands).toEqual([{ type: 'submit', request: { orderId: 'order-1', phone: '13812345678', carrier: 'CMCC', amountYuan: 50, round: 1 } }]);
    expect(step(machine)).toBe('wait');
    expect(waitDeadline(machine)).toEqual({ atMs: SUBMITTED_AT + SLA_MS, event: 'deadline-reached' });
  });

  it.each([
    ['accepted', accepted, 'carrier-accepted', { carrierOrderId: 'C-1' }],
    ['refused', refused, 'carrier-refused', {}],
  ] as const)('moves a PENDING order to PROCESSING when the carrier answers (%s), writing the view itself', (_, answer, event, fields) => {
    const { machine, commands } = feed(submitted(), [answer]);
    expect(machine.order.status).toBe('PROCESSING');
    expect(commands[0]).toEqual({
      type: 'write-view',
      event,
      detail: { round: 1, ...answer.answer },
      transition: { to: 'PROCESSING', fields },
      since: WORKFLOW_RECORDS_CARRIER_ANSWERS,
    });
  });

  it('fails a refused order, never retrying it, then writes FAILED, refunds and marks it finished, in that order', () => {
    const { machine } = feed(submitted(), [refused]);
    expect(step(machine)).toBe('finish');
    const finished = feed(machine, [{ type: 'step', step: 'finish' }]);
    expect(finished.commands.map((c) => c.type)).toEqual(['write-view', 'refund', 'mark-finished']);
    expect(finished.commands[0]).toMatchObject({
      event: 'finished',
      transition: { to: 'FAILED', fields: { resolvedBy: 'carrier-refusal', failureReason: 'number not in service' } },
    });
    expect(finished.machine.order.failureReason).toBe('number not in service');
    expect(step(finished.machine)).toBe('done');
  });

  it('decides on the first callback, ignores a repeat, and flags a contradiction without changing the decision', () => {
    const { machine, commands } = feed(submitted(), [accepted, callback('SUCCESS', '1'), callback('SUCCESS', '2'), callback('FAILED', '3')]);
    const decided = machine.stage.name === 'decided' ? machine.stage.outcome : undefined;
    expect(decided).toEqual({ status: 'SUCCEEDED', carrierOrderId: 'C-1', resolvedBy: 'carrier-callback' });
    expect(machine.order.timeline.map((e) => e.type)).toEqual(['carrier-accepted', 'callback-received', 'outcome-decided', 'callback-ignored', 'contradiction-flagged']);
    expect(ofType(commands, 'flag-for-review')).toEqual([
      { type: 'flag-for-review', reason: 'carrier reported FAILED (callback 3) after the order was decided SUCCEEDED by carrier-callback' },
    ]);
  });

  it('tells the merchant and does not linger when the carrier decided; lingers for late callbacks after an operator decided', () => {
    const byCarrier = feed(submitted({ notifyUrl: 'https://m.example/n' }), [accepted, callback('SUCCESS'), { type: 'step', step: 'finish' }]);
    expect(byCarrier.commands.slice(-2).map((c) => c.type)).toEqual(['mark-finished', 'notify-merchant']);
    expect(step(byCarrier.machine)).toBe('wait');
    expect(step(feed(byCarrier.machine, [{ type: 'notification-done', result: 'DELIVERED' }]).machine)).toBe('done');

    const byOperator = feed(escalated(), [resolve('SUCCEEDED'), { type: 'step', step: 'finish' }]);
    expect(ofType(byOperator.commands, 'linger')).toEqual([{ type: 'linger', duration: '24h' }]);
  });

  it('marks the outcome UNKNOWN, never FAILED, when every submit attempt failed, then keeps waiting for the deadline', () => {
    const { machine } = feed(submitted(), [{ type: 'carrier-unreachable', error: 'timeout' }]);
    expect(step(machine)).toBe('mark-unknown');
    const unknown = feed(machine, [{ type: 'step', step: 'mark-unknown' }]);
    expect(unknown.machine.order.status).toBe('UNKNOWN');
    expect(unknown.commands).toEqual([{ type: 'write-view', event: 'outcome-unknown', detail: {}, transition: { to: 'UNKNOWN', fields: {} } }]);
    expect(step(unknown.machine)).toBe('wait');
  });

  it.each([
    ['SUCCESS', statusSays({ state: 'SUCCESS', carrierOrderId: 'C-1' }), 'decided'],
    ['FAILED', statusSays({ state: 'FAILED', carrierOrderId: 'C-1', reason: 'suspended' }), 'decided'],
    ['PROCESSING', statusSays({ state: 'PROCESSING', carrierOrderId: 'C-1' }), 'escalated'],
    ['NOT_FOUND', statusSays({ state: 'NOT_FOUND' }), 'escalated'],
    ['no answer', { type: 'status-unavailable', purpose: 'sla-deadline', error: 'ECONNREFUSED' } as const, 'escalated'],
  ] as const)('at the deadline asks the carrier; on %s the order is %s', (_, answer, stage) => {
    const asked = feed(submitted(), [accepted, deadline]);
    expect(asked.commands.at(-1)).toEqual({ type: 'ask-carrier', purpose: 'sla-deadline' });
    const { machine, commands } = feed(asked.machine, [answer]);
    expect(machine.stage.name).toBe(stage);
    if (stage === 'escalated') {
      expect(machine.order.status).toBe('ESCALATED');
      expect(commands.map((c) => c.type)).toEqual(['write-view', 'announce-escalation']);
      expect(ofType(commands, 'announce-escalation')[0]?.alert).toMatchObject({ orderId: 'order-1', merchantId: 'merchant-1', carrier: 'CMCC', amountYuan: 50 });
    }
  });

  it('does not escalate an order a callback decided while the carrier was being asked', () => {
    const { machine, commands } = feed(submitted(), [accepted, deadline, callback('SUCCESS'), statusSays({ state: 'PROCESSING', carrierOrderId: 'C-1' })]);
    expect(machine.stage.name).toBe('decided');
    expect(ofType(commands, 'announce-escalation')).toEqual([]);
  });
});

describe('order machine: operators', () => {
  const decided = feed(submitted(), [accepted, callback('FAILED')]).machine;
  const stillSubmitting = feed(submitted({ slaSeconds: 5 }), [deadline, statusSays({ state: 'NOT_FOUND' })]).machine;
  const checkingRetry = feed(escalated(), [retry]).machine;
  it.each([
    ['an order not yet escalated', submitted(), resolve('FAILED').decision, 'order is PENDING; operators decide ESCALATED orders'],
    ['a decided order', decided, resolve('SUCCEEDED').decision, 'order is already decided: FAILED (carrier-callback)'],
    ['a submission in flight', stillSubmitting, resolve('FAILED').decision, 'a submission to the carrier is still in progress; wait for its answer'],
    ['a retry being checked', checkingRetry, resolve('FAILED').decision, 'a retry is under way; wait for its outcome'],
    ['a resolution without a note', escalated(), { action: 'resolve', outcome: 'FAILED', note: ' ', operator: 'bob' }, 'a resolution needs a "note" saying why'],
    ['a carrier word for an outcome', escalated(), { action: 'resolve', outcome: 'SUCCESS', note: 'x', operator: 'bob' }, '"outcome" must be SUCCEEDED or FAILED'],
  ] as const)('refuses a decision on %s', (_, machine, decision, reason) => {
    expect(refusalReason(machine, decision as never)).toBe(reason);
    const after = feed(machine, [{ type: 'operator-decision', decision: decision as never }]);
    expect(after.machine.stage).toEqual(machine.stage);
    expect(after.commands).toEqual([{ type: 'write-view', event: 'operator-decision-refused', detail: { ...decision, reason } }]);
  });

  it('resolves an escalated order and answers the Update', () => {
    const { machine, commands } = feed(escalated(), [resolve('FAILED')]);
    expect(machine.stage).toMatchObject({ name: 'decided', outcome: { status: 'FAILED', resolvedBy: 'operator', reason: 'operator alice: checked' } });
    expect(commands).toEqual([
      { type: 'write-view', event: 'operator-resolved', detail: resolve('FAILED').decision },
      { type: 'reply', result: { status: 'FAILED', message: 'resolved FAILED by alice' } },
    ]);
  });

  it('re-submits a retry only when the carrier never got the order, in a new round with a new SLA', () => {
    const asked = feed(escalated(), [retry]);
    expect(asked.commands.at(-1)).toEqual({ type: 'ask-carrier', purpose: 'operator-retry' });
    const cleared = feed(asked.machine, [statusSays({ state: 'NOT_FOUND' }, 'operator-retry')]);
    expect(ofType(cleared.commands, 'reply')[0]?.result.status).toBe('PROCESSING');
    expect(step(cleared.machine)).toBe('resubmit');
    const resubmitted = feed(
      cleared.machine,
      [
        { type: 'step', step: 'resubmit' },
        { type: 'step', step: 'submit' },
      ],
      5_000_000,
    );
    expect(resubmitted.machine.order).toMatchObject({ status: 'PROCESSING', round: 2 });
    expect(ofType(resubmitted.commands, 'submit')[0]?.request.round).toBe(2);
    expect(waitDeadline(resubmitted.machine)).toEqual({ atMs: 5_000_000 + SLA_MS, event: 'deadline-reached' });
  });

  it.each([
    ['has the order', statusSays({ state: 'PROCESSING', carrierOrderId: 'C-1' }, 'operator-retry'), 'not re-submitted: the carrier already has the order (PROCESSING)'],
    [
      'cannot be reached',
      { type: 'status-unavailable', purpose: 'operator-retry', error: 'timeout' } as const,
      'not re-submitted: the carrier status endpoint could not be reached',
    ],
  ] as const)('does not re-submit a retry when the carrier %s', (_, answer, message) => {
    const { machine, commands } = feed(escalated(), [retry, answer]);
    expect(machine.stage).toEqual({ name: 'escalated', retry: { state: 'none' } });
    expect(ofType(commands, 'reply')).toEqual([{ type: 'reply', result: { status: 'ESCALATED', message } }]);
    expect(ofType(commands, 'submit')).toEqual([]);
  });

  it('never re-submits a retry that a callback decided first', () => {
    const { machine } = feed(escalated(), [retry, statusSays({ state: 'NOT_FOUND' }, 'operator-retry'), callback('SUCCESS')]);
    expect(step(machine)).toBe('finish');
  });

  it('continues as new only when an escalated order is idle', () => {
    expect(step(escalated(), true)).toBe('continue-as-new');
    expect(step(checkingRetry, true)).toBe('wait');
    const resumed = resumedOrder(facts(), { ...escalated().order });
    expect(step(resumed)).toBe('wait');
    expect(feed(resumed, [resolve('SUCCEEDED')]).machine.stage.name).toBe('decided');
  });
});
