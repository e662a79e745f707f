import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CarrierStatus } from '../../../src/shared/carrier-protocol.ts';
import { canMove, isFinal, OrderStatus } from '../../../src/shared/order-status.ts';
import { decide, isDone, nextTimer } from '../../../src/workflows/order/machine.ts';
import {
  newOrder,
  type EventBody,
  type OrderCommand,
  type OrderMachine,
  type StageName,
} from '../../../src/workflows/order/state.ts';
import { runs } from '../../properties.ts';
import { facts } from './fixtures.ts';

/** The view statuses each stage allows. */
const STATUSES_OF_STAGE: Record<StageName, OrderStatus[]> = {
  // UNKNOWN stays once shown (it never moves back): an attempt whose outcome was unknown and then failed hands the order on.
  routing: [OrderStatus.PENDING, OrderStatus.PROCESSING, OrderStatus.UNKNOWN],
  'waiting-for-supplier': [OrderStatus.PENDING, OrderStatus.PROCESSING, OrderStatus.UNKNOWN],
  sending: [OrderStatus.PENDING, OrderStatus.PROCESSING, OrderStatus.UNKNOWN],
  'awaiting-result': [OrderStatus.PROCESSING, OrderStatus.UNKNOWN],
  unknown: [OrderStatus.UNKNOWN, OrderStatus.PROCESSING],
  'asking-supplier': [OrderStatus.PENDING, OrderStatus.PROCESSING, OrderStatus.UNKNOWN],
  escalated: [OrderStatus.ESCALATED],
  finished: [OrderStatus.SUCCEEDED, OrderStatus.FAILED],
};

const SUPPLIERS = ['sim-a', 'sim-b', 'sim-c'];
const STATUS_ANSWERS: CarrierStatus[] = [
  { state: 'PROCESSING', carrierOrderId: 'C' },
  { state: 'SUCCESS', carrierOrderId: 'C' },
  { state: 'FAILED', carrierOrderId: 'C', reason: 'suspended' },
  { state: 'NOT_FOUND' },
];

/**
 * The world around one order: what its commands started and has yet to
 * answer. Each step, a number picks what happens next: an answer to
 * something under way (any answer it may give), a supplier's callback, an
 * operator's decision, or the stage's timer; so every sequence is one a
 * workflow could live through.
 */
class World {
  machine: OrderMachine = newOrder(facts({ notifyUrl: 'https://m.example/n' }));
  at = Date.parse(this.machine.facts.submittedAt);
  owed: EventBody[][] = [];
  repliesOwed = new Set<string>();
  refunds = 0;
  updates = 0;
  private readonly log: OrderCommand[] = [];

  apply(event: EventBody): { before: OrderMachine; after: OrderMachine; commands: OrderCommand[] } {
    const before = this.machine;
    this.at += 1_000;
    const { machine, commands } = decide(before, { ...event, at: this.at });
    this.machine = machine;
    this.log.push(...commands);
    for (const command of commands) this.answerLater(command);
    return { before, after: machine, commands };
  }

  /** The answers a command may come back with (one of them will). */
  private answerLater(command: OrderCommand): void {
    if (command.type === 'route') {
      const { attempt, declined } = command;
      const open = SUPPLIERS.filter((id) => !declined.includes(id));
      const chosen = (supplierId: string): EventBody => ({
        type: 'route-decided',
        decision: {
          kind: 'chosen',
          supplierId,
          taskQueue: supplierId,
          requestId: `order-1-${attempt}`,
          costFen: 4850,
          probe: false,
          skipped: [],
        },
      });
      this.owed.push([
        ...open.map(chosen),
        { type: 'route-decided', decision: { kind: open.length ? 'none-now' : 'none-left', skipped: [] } },
      ]);
    }
    if (command.type === 'submit-to-supplier') {
      const { attempt } = command.attempt;
      this.owed.push([
        {
          type: 'supplier-answered',
          attempt,
          answer: { outcome: 'accepted', carrierOrderId: `C-${attempt}`, tries: 1 },
        },
        { type: 'supplier-answered', attempt, answer: { outcome: 'declined', reason: 'no stock', tries: 1 } },
        {
          type: 'supplier-answered',
          attempt,
          answer: { outcome: 'declined', reason: 'never received', neverReceived: true, tries: 2 },
        },
        { type: 'supplier-unreachable', attempt, error: 'timeout' },
      ]);
    }
    if (command.type === 'ask-supplier') {
      const { purpose, attempt } = command;
      this.owed.push([
        ...STATUS_ANSWERS.map((answer): EventBody => ({
          type: 'status-answered',
          purpose,
          attempt: attempt.attempt,
          answer,
        })),
        { type: 'status-unavailable', purpose, attempt: attempt.attempt, error: 'down' },
      ]);
    }
    if (command.type === 'announce-escalation')
      this.owed.push([{ type: 'alert-sent' }, { type: 'alert-failed', error: 'webhook down' }]);
    if (command.type === 'refund') {
      this.refunds += 1;
      this.owed.push([{ type: 'refunded', result: { outcome: 'refunded', amountFen: 5000 } }]);
    }
    if (command.type === 'notify-merchant')
      this.owed.push([
        { type: 'notification-done', result: 'DELIVERED' },
        { type: 'notification-done', result: 'GAVE_UP' },
      ]);
    if (command.type === 'reply') this.repliesOwed.delete(command.to);
  }

  /** What may happen next, picked by `choice`. */
  next(choice: number): EventBody | undefined {
    const { attempts } = this.machine.order;
    const outside: EventBody[] = [];
    if (attempts.length > 0) {
      const attempt = attempts[choice % attempts.length]!;
      const status = choice % 3 === 0 ? 'FAILED' : 'SUCCESS';
      outside.push({
        type: 'callback',
        callback: {
          callbackId: String(choice),
          supplierId: attempt.supplierId,
          requestId: attempt.requestId,
          carrierOrderId: 'C',
          status,
          timestamp: '2026-12-03T10:00:00Z',
        },
      });
    }
    const replyTo = choice % 2 === 0 ? `u${++this.updates}` : undefined;
    const decision =
      choice % 5 === 0
        ? ({ action: 'retry', operator: 'bob' } as const)
        : ({
            action: 'resolve',
            outcome: choice % 4 === 0 ? 'FAILED' : 'SUCCEEDED',
            note: 'checked',
            operator: 'alice',
          } as const);
    outside.push({ type: 'operator-decision', decision, ...(replyTo && { replyTo }) });
    const timer = nextTimer(this.machine);
    if (timer) outside.push({ type: timer.event });
    const options = [
      ...this.owed.map((answers, i) => ({ owed: i, answers })),
      ...outside.map((event) => ({ owed: -1, answers: [event] })),
    ];
    if (options.length === 0) return undefined;
    const picked = options[choice % options.length]!;
    if (picked.owed >= 0) this.owed.splice(picked.owed, 1);
    const event = picked.answers[Math.floor(choice / options.length) % picked.answers.length]!;
    if (event.type === 'operator-decision' && event.replyTo) this.repliesOwed.add(event.replyTo);
    return event;
  }
}

const outcomeOf = (machine: OrderMachine) => (machine.stage.name === 'finished' ? machine.stage.outcome : undefined);

describe('order machine: properties over any life an order can have', () => {
  it('never moves the status backwards, decides once, refunds only a FAILED order and once, and keeps stage and status consistent', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(1_000), { maxLength: 60 }), (choices) => {
        const world = new World();
        world.apply({ type: 'started' });
        for (const choice of choices) {
          const event = world.next(choice);
          if (!event) break;
          const { before, after, commands } = world.apply(event);
          if (after.order.status !== before.order.status)
            expect(canMove(before.order.status, after.order.status)).toBe(true);
          if (isFinal(before.order.status)) expect(after.order.status).toBe(before.order.status);
          const decided = outcomeOf(before);
          if (decided) expect(outcomeOf(after)).toEqual(decided);
          expect(STATUSES_OF_STAGE[after.stage.name]).toContain(after.order.status);
          // One attempt at a time: a send starts only from routing, and never once the order is decided.
          if (commands.some((c) => c.type === 'submit-to-supplier')) expect(before.stage.name).toBe('routing');
          for (const command of commands)
            if (command.type === 'write-view' && command.transition)
              expect(command.transition.to).toBe(after.order.status);
        }
        expect(world.refunds).toBeLessThanOrEqual(1);
        if (world.refunds === 1) expect(outcomeOf(world.machine)?.status).toBe('FAILED');
      }),
      { numRuns: runs(3_000) },
    );
  });

  it('never gets stuck: with every answer back and every timer fired, it is done or waits for an operator; and every Update is answered', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(1_000), { maxLength: 60 }), fc.nat(1_000), (choices, settle) => {
        const world = new World();
        world.apply({ type: 'started' });
        for (const choice of choices) {
          const event = world.next(choice);
          if (event) world.apply(event);
        }
        // No more callbacks or decisions: only the answers under way, then the stage's timers.
        for (let i = 0; i < 200; i++) {
          const answers = world.owed.shift();
          const timer = nextTimer(world.machine);
          if (answers) world.apply(answers[(settle + i) % answers.length]!);
          else if (timer) world.apply({ type: timer.event });
          else break;
        }
        expect(world.owed).toEqual([]);
        expect(isDone(world.machine) || world.machine.stage.name === 'escalated', world.machine.stage.name).toBe(true);
        expect([...world.repliesOwed]).toEqual([]);
      }),
      { numRuns: runs(2_000) },
    );
  });

  it('never changes the machine it was given (each decision works on a copy)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(1_000), { maxLength: 30 }), (choices) => {
        const world = new World();
        world.apply({ type: 'started' });
        for (const choice of choices) {
          const event = world.next(choice);
          if (!event) break;
          const given = world.machine;
          const snapshot = JSON.stringify(given);
          world.apply(event);
          expect(JSON.stringify(given)).toBe(snapshot);
        }
      }),
      { numRuns: runs(1_000) },
    );
  });
});
