import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canMove, isFinal, OrderStatus } from '../../../src/shared/order-status.ts';
import type { OrderOutcome } from '../../../src/shared/order-workflow.ts';
import { decide, nextStep, refusalReason } from '../../../src/workflows/order/machine.ts';
import { newOrder, type LoopStep, type MachineEvent, type OrderMachine } from '../../../src/workflows/order/state.ts';
import { runs } from '../../properties.ts';
import { escalated, facts } from './fixtures.ts';

const carrierStatus = fc.constantFrom(
  { state: 'PROCESSING', carrierOrderId: 'C-1' } as const,
  { state: 'SUCCESS', carrierOrderId: 'C-1' } as const,
  { state: 'FAILED', carrierOrderId: 'C-1', reason: 'suspended' } as const,
  { state: 'NOT_FOUND' } as const,
);
const purpose = fc.constantFrom('sla-deadline', 'operator-retry' as const);

/** Anything that can happen to an order, in any order, including steps that are not due and malformed decisions. */
const anyEvent: fc.Arbitrary<Omit<MachineEvent, 'at'> | { type: 'due-step' }> = fc.oneof(
  fc.constant({ type: 'due-step' } as const),
  fc
    .constantFrom({ outcome: 'accepted', carrierOrderId: 'C-1' } as const, { outcome: 'refused', reason: 'no stock' } as const)
    .map((answer) => ({ type: 'carrier-answered', answer }) as const),
  fc.constant({ type: 'carrier-unreachable', error: 'timeout' } as const),
  fc
    .record({ status: fc.constantFrom('SUCCESS', 'FAILED' as const), callbackId: fc.constantFrom('1', '2', '3') })
    .map(({ status, callbackId }) => ({ type: 'callback', callback: { callbackId, carrierOrderId: 'C-1', status, timestamp: '2026-12-03T10:00:00Z' } }) as const),
  fc
    .oneof(
      fc.constantFrom('SUCCEEDED', 'FAILED', 'SUCCESS').map((outcome) => ({ action: 'resolve', outcome, note: 'checked', operator: 'alice' })),
      fc.constant({ action: 'retry', operator: 'bob' }),
      fc.constant({ action: 'resolve', outcome: 'FAILED', note: '', operator: '' }),
    )
    .map((decision) => ({ type: 'operator-decision', decision }) as never),
  fc.record({ purpose, answer: carrierStatus }).map(({ purpose, answer }) => ({ type: 'status-answered', purpose, answer }) as const),
  purpose.map((purpose) => ({ type: 'status-unavailable', purpose, error: 'ECONNREFUSED' }) as const),
  fc.constant({ type: 'deadline-reached' } as const),
  fc.constantFrom<LoopStep>('submit', 'mark-unknown', 'resubmit', 'finish').map((step) => ({ type: 'step', step }) as const),
  fc.constant({ type: 'notification-done', result: 'DELIVERED' } as const),
  fc.constant({ type: 'alert-failed', error: 'webhook down' } as const),
);

/** The view statuses each stage allows. */
const STATUSES_OF_STAGE: Record<OrderMachine['stage']['name'], OrderStatus[]> = {
  'awaiting-result': [OrderStatus.PENDING, OrderStatus.PROCESSING, OrderStatus.UNKNOWN],
  'asking-carrier': [OrderStatus.PENDING, OrderStatus.PROCESSING, OrderStatus.UNKNOWN],
  escalated: [OrderStatus.ESCALATED],
  decided: [OrderStatus.PENDING, OrderStatus.PROCESSING, OrderStatus.UNKNOWN, OrderStatus.ESCALATED],
  finished: [OrderStatus.SUCCEEDED, OrderStatus.FAILED],
};

const outcomeOf = (machine: OrderMachine): OrderOutcome | undefined => (machine.stage.name === 'decided' || machine.stage.name === 'finished' ? machine.stage.outcome : undefined);

describe('order machine: properties over any sequence of events', () => {
  it('never moves the status backwards, never decides twice, refunds only a FAILED order and at most once', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.array(anyEvent, { maxLength: 40 }), (withNotify, fromEscalated, events) => {
        let machine = fromEscalated ? escalated() : newOrder(facts(withNotify ? { notifyUrl: 'https://m.example/n' } : {}));
        let refunds = 0;
        events.forEach((event, i) => {
          const due = nextStep(machine, { continueAsNewSuggested: false });
          if (event.type === 'due-step' && !['submit', 'mark-unknown', 'resubmit', 'finish'].includes(due)) return;
          const input = (event.type === 'due-step' ? { type: 'step', step: due } : event) as MachineEvent;
          const before = machine;
          const { machine: after, commands } = decide(before, { ...input, at: 1_000 * (i + 1) });

          if (after.order.status !== before.order.status) expect(canMove(before.order.status, after.order.status)).toBe(true);
          if (isFinal(before.order.status)) expect(after.order.status).toBe(before.order.status);
          const decided = outcomeOf(before);
          if (decided) expect(outcomeOf(after)).toEqual(decided);
          for (const command of commands) {
            if (command.type === 'write-view' && command.transition) expect(command.transition.to).toBe(after.order.status);
            if (command.type === 'refund') {
              refunds += 1;
              expect(after.order.status).toBe(OrderStatus.FAILED);
            }
            // A submission goes out only while the outcome is open.
            if (command.type === 'submit') expect(outcomeOf(after)).toBeUndefined();
          }
          expect(after.order.timeline.length).toBeGreaterThanOrEqual(before.order.timeline.length);
          machine = after;
        });
        expect(refunds).toBeLessThanOrEqual(1);
      }),
      { numRuns: runs(2_000) },
    );
  });

  it('keeps stage and status consistent, always makes progress on a due step, and answers every accepted decision once', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(anyEvent, { maxLength: 40 }), (fromEscalated, events) => {
        // From a new order, or from an escalated one, so operator paths are reached often.
        let machine = fromEscalated ? escalated() : newOrder(facts());
        /** The purposes of status checks asked for and not yet answered: only those get answers, as in the workflow. */
        const asked: string[] = [];
        let repliesOwed = 0;
        events.forEach((event, i) => {
          const due = nextStep(machine, { continueAsNewSuggested: false });
          if (event.type === 'due-step' && !['submit', 'mark-unknown', 'resubmit', 'finish'].includes(due)) return;
          const isStatusAnswer = event.type === 'status-answered' || event.type === 'status-unavailable';
          if (isStatusAnswer && asked.length === 0) return;
          const input = (event.type === 'due-step' ? { type: 'step', step: due } : isStatusAnswer ? { ...event, purpose: asked.shift() } : event) as MachineEvent;
          const accepted = input.type === 'operator-decision' && refusalReason(machine, input.decision) === undefined;
          const answersRetry = input.type.startsWith('status-') && (input as { purpose: string }).purpose === 'operator-retry';
          const { machine: after, commands } = decide(machine, { ...input, at: 1_000 * (i + 1) });

          if (event.type === 'due-step') expect(JSON.stringify(after)).not.toBe(JSON.stringify(machine));
          if (commands.some((c) => c.type === 'submit')) expect(machine.submission).not.toBe('running');
          const replies = commands.filter((c) => c.type === 'reply').length;
          if (accepted && input.decision.action === 'resolve') expect(replies).toBe(1);
          if (accepted && input.decision.action === 'retry') repliesOwed += 1;
          if (answersRetry) {
            expect(replies).toBe(1);
            repliesOwed -= 1;
          }
          if (!accepted && !answersRetry) expect(replies).toBe(0);
          asked.push(...commands.flatMap((c) => (c.type === 'ask-carrier' ? [c.purpose] : [])));
          expect(STATUSES_OF_STAGE[after.stage.name]).toContain(after.order.status);
          machine = after;
        });
        expect(repliesOwed).toBe(asked.filter((purpose) => purpose === 'operator-retry').length);
      }),
      { numRuns: runs(2_000) },
    );
  });

  it('never leaves the machine it was given changed (each decision works on a copy)', () => {
    fc.assert(
      fc.property(fc.array(anyEvent, { maxLength: 20 }), (events) => {
        let machine = newOrder(facts());
        for (const [i, event] of events.entries()) {
          if (event.type === 'due-step') continue;
          const given = machine;
          const snapshot = JSON.stringify(given);
          machine = decide(given, { ...event, at: i } as MachineEvent).machine;
          expect(JSON.stringify(given)).toBe(snapshot);
        }
      }),
    );
  });
});
