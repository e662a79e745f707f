import { decide } from '../../../src/workflows/order/machine.ts';
import { newOrder, type EventBody, type OrderCommand, type OrderMachine } from '../../../src/workflows/order/state.ts';
import type { CarrierStatus } from '../../../src/shared/carrier-protocol.ts';
import type { SkippedSupplier } from '../../../src/shared/suppliers.ts';

export const SUBMITTED_AT = Date.parse('2026-12-03T10:00:00.000Z');
export const SLA_MS = 180_000;
export const DEADLINE = SUBMITTED_AT + SLA_MS;

export const facts = (extra: Partial<OrderMachine['facts']> = {}): OrderMachine['facts'] => ({
  orderId: 'order-1',
  merchantId: 'merchant-1',
  merchantOrderNo: 'M-1',
  phone: '13812345678',
  carrier: 'CMCC',
  amountYuan: 50,
  submittedAt: new Date(SUBMITTED_AT).toISOString(),
  slaSeconds: SLA_MS / 1000,
  ...extra,
});

/** Feeds events one after the other, a second apart; returns the final machine and every command, in order. */
export function feed(machine: OrderMachine, events: EventBody[], startAt = SUBMITTED_AT + 1000) {
  const commands: OrderCommand[] = [];
  events.forEach((event, i) => {
    const decision = decide(machine, { ...event, at: startAt + i * 1000 });
    machine = decision.machine;
    commands.push(...decision.commands);
  });
  return { machine, commands };
}

export const started = { type: 'started' } as const;
const requestId = (attempt: number) => `order-1-${attempt}`;

export const chosen = (supplierId = 'sim-a', attempt = 1, skipped: SkippedSupplier[] = []): EventBody => ({
  type: 'route-decided',
  decision: {
    kind: 'chosen',
    supplierId,
    taskQueue: `supplier-${supplierId}`,
    requestId: requestId(attempt),
    costFen: 4850,
    probe: false,
    skipped,
  },
});
export const noneLeft = (
  skipped: SkippedSupplier[] = [{ supplierId: 'sim-a', reason: 'declined this order', lasting: true }],
): EventBody => ({
  type: 'route-decided',
  decision: { kind: 'none-left', skipped },
});
export const noneNow: EventBody = {
  type: 'route-decided',
  decision: { kind: 'none-now', skipped: [{ supplierId: 'sim-a', reason: 'breaker open', lasting: false }] },
};
export const accepted = (attempt = 1, carrierOrderId = 'C-1', extra: { recorded?: boolean } = {}): EventBody => ({
  type: 'supplier-answered',
  attempt,
  answer: { outcome: 'accepted', carrierOrderId, tries: 1, ...extra },
});
export const declined = (attempt = 1, reason = 'no stock', neverReceived = false): EventBody => ({
  type: 'supplier-answered',
  attempt,
  answer: { outcome: 'declined', reason, ...(neverReceived && { neverReceived }), tries: 1 },
});
export const unreachable = (attempt = 1): EventBody => ({ type: 'supplier-unreachable', attempt, error: 'timeout' });
export const callback = (status: 'SUCCESS' | 'FAILED', attempt = 1, callbackId = '1'): EventBody => ({
  type: 'callback',
  callback: {
    callbackId,
    supplierId: 'sim-a',
    requestId: requestId(attempt),
    carrierOrderId: 'C-1',
    status,
    timestamp: '2026-12-03T10:00:05.000Z',
  },
});
export const deadline: EventBody = { type: 'deadline-reached' };
export const statusSays = (
  answer: CarrierStatus,
  attempt = 1,
  purpose: 'sla-deadline' | 'operator-retry' = 'sla-deadline',
): EventBody => ({
  type: 'status-answered',
  purpose,
  attempt,
  answer,
});
export const resolve = (outcome: 'SUCCEEDED' | 'FAILED', replyTo?: string): EventBody => ({
  type: 'operator-decision',
  decision: { action: 'resolve', outcome, note: 'checked', operator: 'alice' },
  ...(replyTo !== undefined && { replyTo }),
});
export const retry = (replyTo?: string): EventBody => ({
  type: 'operator-decision',
  decision: { action: 'retry', operator: 'bob' },
  ...(replyTo !== undefined && { replyTo }),
});

/** A new order whose first attempt is being sent to sim-a. */
export const sending = (extra: Partial<OrderMachine['facts']> = {}) =>
  feed(newOrder(facts(extra)), [started, chosen()]).machine;
/** sim-a took the first attempt; its callback is awaited. */
export const awaiting = (extra: Partial<OrderMachine['facts']> = {}) => feed(sending(extra), [accepted()]).machine;
/** Past its deadline, sim-a still has it open: handed to an operator. */
export const escalated = () =>
  feed(awaiting(), [deadline, statusSays({ state: 'PROCESSING', carrierOrderId: 'C-1' }), { type: 'alert-sent' }])
    .machine;

export const ofType = <T extends OrderCommand['type']>(commands: OrderCommand[], type: T) =>
  commands.filter((c): c is Extract<OrderCommand, { type: T }> => c.type === type);
export const types = (commands: OrderCommand[]) => commands.map((c) => c.type);
