import { describe, expect, it } from 'vitest';
import { canContinueAsNew, isDone, nextTimer } from '../../../src/workflows/order/machine.ts';
import { refusalReason } from '../../../src/workflows/order/operator-rules.ts';
import { newOrder, resumedOrder, type EventBody } from '../../../src/workflows/order/state.ts';
import { ROUTE_AGAIN_MS } from '../../../src/workflows/order/supplier-rules.ts';
import {
  DEADLINE,
  accepted,
  awaiting,
  callback,
  chosen,
  deadline,
  declined,
  escalated,
  facts,
  feed,
  noneLeft,
  noneNow,
  ofType,
  resolve,
  retry,
  sending,
  started,
  statusSays,
  types,
  unreachable,
} from './fixtures.ts';

describe('order machine: choosing a supplier and sending to it', () => {
  it('routes a new order, deadline counted from acceptance, and sends the first attempt to the supplier chosen', () => {
    const routed = feed(newOrder(facts()), [started]);
    expect(routed.machine.stage).toEqual({ name: 'routing', deadlineMs: DEADLINE });
    expect(routed.commands).toEqual([{ type: 'route', attempt: 1, declined: [], resting: [] }]);
    const sent = feed(routed.machine, [chosen('sim-a')]);
    expect(sent.machine.stage).toEqual({ name: 'sending', attempt: 1, deadlineMs: DEADLINE });
    expect(sent.commands).toEqual([
      {
        type: 'submit-to-supplier',
        attempt: {
          attempt: 1,
          round: 1,
          supplierId: 'sim-a',
          requestId: 'order-1-1',
          taskQueue: 'supplier-sim-a',
          costFen: 4850,
          state: 'sent',
        },
      },
    ]);
    expect(nextTimer(sent.machine)).toEqual({ atMs: DEADLINE, event: 'deadline-reached' });
  });

  it('moves to PROCESSING, with the supplier, when the supplier takes the attempt, and then awaits its result', () => {
    const { machine, commands } = feed(sending(), [accepted()]);
    expect(machine.stage).toEqual({ name: 'awaiting-result', attempt: 1, deadlineMs: DEADLINE });
    expect(machine.order).toMatchObject({ status: 'PROCESSING', supplierId: 'sim-a', carrierOrderId: 'C-1' });
    expect(commands).toEqual([
      expect.objectContaining({
        type: 'write-view',
        event: 'carrier-accepted',
        transition: { to: 'PROCESSING', fields: { carrierOrderId: 'C-1', supplierId: 'sim-a' } },
      }),
    ]);
  });

  it('sends at once to a first route chosen where the workflow was started, without asking the router', () => {
    const { decision } = chosen('sim-b') as Extract<EventBody, { type: 'route-decided' }>;
    if (decision.kind !== 'chosen') throw new Error('a chosen route');
    const { machine, commands } = feed(newOrder(facts({ firstRoute: decision })), [started]);
    expect(machine.stage).toEqual({ name: 'sending', attempt: 1, deadlineMs: DEADLINE });
    expect(commands.map((command) => command.type)).toEqual(['submit-to-supplier']);
    expect(ofType(commands, 'submit-to-supplier')[0]?.attempt).toMatchObject({ supplierId: 'sim-b', attempt: 1 });
  });

  it('leaves an acceptance the submit activity wrote to the view unwritten, and its search attributes to the next change', () => {
    const { machine, commands } = feed(sending(), [accepted(1, 'C-1', { recorded: true })]);
    expect(machine.order).toMatchObject({ status: 'PROCESSING', supplierId: 'sim-a' });
    expect(commands).toEqual([
      expect.objectContaining({
        type: 'write-view',
        transition: expect.objectContaining({ to: 'PROCESSING' }),
        written: true,
      }),
    ]);
    // Not recorded (the activity's write failed): the workflow writes it.
    expect(
      ofType(feed(sending(), [accepted(1, 'C-1', { recorded: false })]).commands, 'write-view')[0]?.written,
    ).toBeUndefined();
  });

  it('follows the view to PROCESSING when the submit activity wrote the acceptance before the supplier’s FAILED result overtook it', () => {
    const { machine, commands } = feed(sending(), [callback('FAILED'), accepted(1, 'C-1', { recorded: true })]);
    expect(machine.order.status).toBe('PROCESSING');
    expect(machine.order.attempts[0]?.state).toBe('declined');
    expect(ofType(commands, 'write-view').find((command) => command.transition?.to === 'PROCESSING')?.written).toBe(
      true,
    );
    expect(ofType(commands, 'route')[0]).toMatchObject({ attempt: 2, declined: ['sim-a'] });
    // Not recorded by the activity: the workflow records the late acceptance as an event only, as before.
    const unrecorded = feed(sending(), [callback('FAILED'), accepted(1, 'C-1')]);
    expect(unrecorded.machine.order.status).toBe('PENDING');
  });

  it('fails over on a definite refusal: the declined supplier is left out of the next route', () => {
    const { machine, commands } = feed(sending(), [declined(1, 'no stock')]);
    expect(machine.stage.name).toBe('routing');
    expect(machine.order.attempts[0]).toMatchObject({
      state: 'declined',
      declined: { reason: 'no stock', resolvedBy: 'carrier-refusal' },
    });
    expect(ofType(commands, 'route')[0]).toMatchObject({ attempt: 2, declined: ['sim-a'], resting: [] });
    const second = feed(machine, [chosen('sim-b', 2), accepted(2, 'C-2'), callback('SUCCESS', 2)]);
    expect(second.machine.stage).toMatchObject({
      name: 'finished',
      outcome: { status: 'SUCCEEDED', supplierId: 'sim-b' },
    });
    expect(ofType(second.commands, 'write-view').at(-1)?.transition?.fields).toMatchObject({
      supplierId: 'sim-b',
      supplierCostFen: 4850,
    });
  });

  it('tries a supplier that never received the request again only after every other (it rests)', () => {
    const at = DEADLINE - 100_000;
    const { machine, commands } = feed(sending(), [declined(1, 'never received', true)], at);
    expect(ofType(commands, 'route')[0]).toMatchObject({ declined: [], resting: ['sim-a'] });
    expect(machine.order.attempts[0]?.declined?.restingUntil).toBe(at + ROUTE_AGAIN_MS);
  });

  it('fails the order, refunding it once, when every supplier has declined', () => {
    const { machine, commands } = feed(sending(), [declined(1, 'number not in service'), noneLeft()]);
    expect(machine.stage).toMatchObject({
      name: 'finished',
      refunding: true,
      outcome: { status: 'FAILED', reason: 'number not in service', resolvedBy: 'carrier-refusal' },
    });
    expect(ofType(commands, 'refund')).toHaveLength(1);
    expect(types(commands).slice(-2)).toEqual(['mark-finished', 'refund']);
  });

  it('waits for a supplier when none can take the order now (breaker open), routing again within the SLA', () => {
    const { machine, commands } = feed(newOrder(facts()), [started, noneNow]);
    expect(machine.stage).toMatchObject({ name: 'waiting-for-supplier', deadlineMs: DEADLINE });
    expect(ofType(commands, 'write-view').map((c) => c.event)).toEqual(['supplier-unavailable']);
    const timer = nextTimer(machine);
    expect(timer?.event).toBe('route-again');
    expect(feed(machine, [{ type: 'route-again' }]).machine.stage.name).toBe('routing');
  });

  it('marks the outcome UNKNOWN, never FAILED and never failed over, when every try of an attempt faulted', () => {
    const { machine, commands } = feed(sending(), [unreachable()]);
    expect(machine.stage).toEqual({ name: 'unknown', attempt: 1, deadlineMs: DEADLINE });
    expect(machine.order.status).toBe('UNKNOWN');
    expect(ofType(commands, 'route')).toEqual([]);
  });
});

describe('order machine: results, the deadline and its status question', () => {
  it('decides on the first callback, ignores a repeat, and flags a contradiction without changing the decision', () => {
    const { machine, commands } = feed(awaiting(), [
      callback('SUCCESS', 1, '1'),
      callback('SUCCESS', 1, '2'),
      callback('FAILED', 1, '3'),
    ]);
    expect(machine.stage).toMatchObject({
      name: 'finished',
      outcome: { status: 'SUCCEEDED', resolvedBy: 'carrier-callback', supplierId: 'sim-a' },
    });
    expect(machine.order.timeline.map((e) => e.type).slice(-4)).toEqual([
      'outcome-decided',
      'finished',
      'callback-ignored',
      'contradiction-flagged',
    ]);
    expect(ofType(commands, 'flag-for-review')).toHaveLength(1);
  });

  it('fails over on a FAILED callback before the deadline, and flags a later SUCCESS from the declined supplier (credited twice?)', () => {
    const { machine, commands } = feed(awaiting(), [
      callback('FAILED', 1),
      chosen('sim-b', 2),
      accepted(2, 'C-2'),
      callback('SUCCESS', 1, '9'),
      callback('FAILED', 1, '10'),
    ]);
    expect(machine.stage.name).toBe('awaiting-result');
    expect(ofType(commands, 'flag-for-review')[0]?.reason).toContain(
      'supplier sim-a reported SUCCESS (callback 9) for attempt 1, which it had declined',
    );
    expect(machine.order.timeline.at(-1)).toMatchObject({
      type: 'callback-ignored',
      detail: { reason: 'repeat: sim-a had declined attempt 1' },
    });
  });

  it('lets an attempt declined while still being sent route on only once its send has returned', () => {
    const declinedEarly = feed(sending(), [callback('FAILED', 1)]);
    expect(declinedEarly.machine.stage.name).toBe('sending');
    expect(ofType(declinedEarly.commands, 'route')).toEqual([]);
    const answered = feed(declinedEarly.machine, [accepted(1)]);
    expect(answered.machine.stage.name).toBe('routing');
    expect(answered.machine.order.status).toBe('PENDING'); // the overtaken acceptance moves nothing
  });

  it.each([
    ['SUCCESS', { state: 'SUCCESS', carrierOrderId: 'C-1' }, 'finished', 'SUCCEEDED'],
    ['FAILED', { state: 'FAILED', carrierOrderId: 'C-1', reason: 'suspended' }, 'finished', 'FAILED'],
    ['PROCESSING', { state: 'PROCESSING', carrierOrderId: 'C-1' }, 'escalated', 'ESCALATED'],
    ['NOT_FOUND', { state: 'NOT_FOUND' }, 'escalated', 'ESCALATED'],
  ] as const)('asks the supplier at the deadline; on %s the order is %s', (_, answer, stage, status) => {
    const asked = feed(awaiting(), [deadline]);
    expect(asked.machine.stage).toEqual({ name: 'asking-supplier', attempt: 1 });
    expect(ofType(asked.commands, 'ask-supplier')).toEqual([
      {
        type: 'ask-supplier',
        purpose: 'sla-deadline',
        attempt: expect.objectContaining({ attempt: 1, supplierId: 'sim-a' }),
      },
    ]);
    const { machine, commands } = feed(asked.machine, [statusSays(answer)]);
    expect(machine.stage.name).toBe(stage);
    expect(machine.order.status).toBe(status);
    if (stage === 'escalated') expect(ofType(commands, 'announce-escalation')).toHaveLength(1);
  });

  it('escalates at the deadline at once when no supplier has the order', () => {
    const { machine, commands } = feed(newOrder(facts()), [started, noneNow, deadline]);
    expect(machine.stage).toEqual({ name: 'escalated', alerting: true });
    expect(ofType(commands, 'ask-supplier')).toEqual([]);
  });

  it('takes no "never received" for an attempt still being sent at the deadline: the request may yet arrive and credit the phone', () => {
    const asked = feed(sending(), [deadline, statusSays({ state: 'NOT_FOUND' })]);
    expect(asked.machine.stage).toEqual({ name: 'escalated', alerting: true, sending: 1 });
    expect(asked.machine.order.attempts[0]?.state).toBe('sent');
    // The send then returns accepted, and the supplier's SUCCESS decides the order.
    const credited = feed(asked.machine, [accepted(1), callback('SUCCESS', 1)]);
    expect(credited.machine.order.status).toBe('SUCCEEDED');
    expect(credited.machine.order.timeline.map((e) => e.type)).not.toContain('contradiction-flagged');
  });

  it('asks about an attempt still being sent at the deadline, and keeps operators off it until its send returns', () => {
    const { machine } = feed(sending(), [deadline, statusSays({ state: 'PROCESSING', carrierOrderId: 'C-1' })]);
    expect(machine.stage).toEqual({ name: 'escalated', alerting: true, sending: 1 });
    expect(refusalReason(machine, { action: 'resolve', outcome: 'FAILED', note: 'x', operator: 'alice' })).toContain(
      'still in progress',
    );
    expect(feed(machine, [accepted(1)]).machine.stage).toEqual({ name: 'escalated', alerting: true });
  });
});

describe('order machine: finishing', () => {
  it('refunds a FAILED order before its merchant is told, and is done once both are', () => {
    const { machine, commands } = feed(awaiting({ notifyUrl: 'https://m.example/n' }), [
      callback('FAILED', 1),
      noneLeft(),
    ]);
    expect(types(commands).filter((t) => t === 'refund' || t === 'notify-merchant')).toEqual(['refund']);
    const refunded = feed(machine, [{ type: 'refunded', result: { outcome: 'refunded', amountFen: 5000 } }]);
    expect(types(refunded.commands)).toEqual(['notify-merchant']);
    expect(isDone(refunded.machine)).toBe(false);
    expect(isDone(feed(refunded.machine, [{ type: 'notification-done', result: 'DELIVERED' }]).machine)).toBe(true);
  });

  it('closes at once after a supplier decided; stays open 24 h for late callbacks after an operator decided', () => {
    expect(isDone(feed(awaiting(), [callback('SUCCESS')]).machine)).toBe(true);
    const byOperator = feed(escalated(), [resolve('SUCCEEDED')]).machine;
    expect(nextTimer(byOperator)?.event).toBe('linger-over');
    expect(isDone(byOperator)).toBe(false);
    const late = feed(byOperator, [callback('FAILED', 1, '7')]);
    expect(ofType(late.commands, 'flag-for-review')[0]?.reason).toContain(
      'after the order was decided SUCCEEDED by operator',
    );
    expect(isDone(feed(late.machine, [{ type: 'linger-over' }]).machine)).toBe(true);
  });
});

describe('order machine: operators', () => {
  it('resolves an escalated order and answers the Update', () => {
    const { machine, commands } = feed(escalated(), [resolve('FAILED', 'u1')]);
    expect(machine.stage).toMatchObject({
      name: 'finished',
      outcome: { status: 'FAILED', resolvedBy: 'operator', reason: 'operator alice: checked' },
    });
    expect(ofType(commands, 'reply')).toEqual([
      { type: 'reply', to: 'u1', result: { status: 'FAILED', message: 'resolved FAILED by alice' } },
    ]);
  });

  it('refuses decisions outside the escalated stage: an Update gets the reason, a signal is recorded', () => {
    const viaUpdate = feed(awaiting(), [resolve('FAILED', 'u1')]);
    expect(viaUpdate.commands).toEqual([
      { type: 'reply', to: 'u1', result: { refused: 'order is PROCESSING; operators decide ESCALATED orders' } },
    ]);
    const viaSignal = feed(awaiting(), [resolve('FAILED')]);
    expect(viaSignal.commands).toEqual([
      expect.objectContaining({ type: 'write-view', event: 'operator-decision-refused' }),
    ]);
    expect(viaSignal.machine.stage.name).toBe('awaiting-result');
  });

  it('retries only when the supplier never got the order: routed again in a new round with an SLA of its own', () => {
    const checking = feed(escalated(), [retry('u2')]);
    expect(ofType(checking.commands, 'ask-supplier')[0]).toMatchObject({
      purpose: 'operator-retry',
      attempt: { attempt: 1 },
    });
    expect(
      refusalReason(checking.machine, { action: 'resolve', outcome: 'FAILED', note: 'x', operator: 'alice' }),
    ).toContain('retry is under way');
    const retried = feed(
      checking.machine,
      [statusSays({ state: 'NOT_FOUND' }, 1, 'operator-retry')],
      DEADLINE + 60_000,
    );
    expect(retried.machine.order).toMatchObject({ round: 2, status: 'PROCESSING' });
    expect(retried.machine.stage).toEqual({ name: 'routing', deadlineMs: DEADLINE + 60_000 + SLA() });
    expect(ofType(retried.commands, 'route')[0]).toMatchObject({ attempt: 2, declined: [] });
    expect(ofType(retried.commands, 'reply')[0]?.result).toMatchObject({
      status: 'PROCESSING',
      message: expect.stringContaining('never received'),
    });
  });

  it('does not re-submit when the supplier has the order, and answers why', () => {
    const { machine, commands } = feed(escalated(), [
      retry('u3'),
      statusSays({ state: 'PROCESSING', carrierOrderId: 'C-1' }, 1, 'operator-retry'),
    ]);
    expect(machine.stage).toEqual({ name: 'escalated', alerting: false });
    expect(ofType(commands, 'reply')[0]?.result).toEqual({
      status: 'ESCALATED',
      message: 'not re-submitted: the supplier already has the order (PROCESSING)',
    });
  });

  it('routes again at once when every supplier has declined (nothing can be credited twice), during or after a failover', () => {
    const declinedAll = feed(awaiting(), [callback('FAILED', 1), noneNow, deadline, { type: 'alert-sent' }]).machine;
    expect(declinedAll.stage.name).toBe('escalated');
    const { machine, commands } = feed(declinedAll, [retry('u4')]);
    expect(machine.stage.name).toBe('routing');
    expect(ofType(commands, 'reply')).toEqual([
      { type: 'reply', to: 'u4', result: { status: 'PROCESSING', message: 'no supplier has the order; routed again' } },
    ]);
    expect(ofType(commands, 'route')[0]?.declined).toEqual([]); // a new round: every supplier may be asked again
  });

  it('answers a retry still being checked when a callback decides the order meanwhile', () => {
    const { commands } = feed(escalated(), [retry('u5'), callback('SUCCESS', 1)]);
    expect(ofType(commands, 'reply').at(-1)).toEqual({
      type: 'reply',
      to: 'u5',
      result: { status: 'SUCCEEDED', message: 'not re-submitted: the order was decided meanwhile' },
    });
  });

  it('continues as new only when escalated and idle, and resumes there', () => {
    expect(canContinueAsNew(escalated())).toBe(true);
    expect(canContinueAsNew(feed(escalated(), [retry()]).machine)).toBe(false);
    expect(canContinueAsNew(awaiting())).toBe(false);
    expect(resumedOrder(facts(), escalated().order).stage).toEqual({ name: 'escalated', alerting: false });
  });
});

const SLA = () => facts().slaSeconds * 1000;
