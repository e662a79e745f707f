import { decide, nextStep } from '../../../src/workflows/order/machine.ts';
import { newOrder, type MachineEvent, type OrderCommand, type OrderMachine } from '../../../src/workflows/order/state.ts';

export const SUBMITTED_AT = Date.parse('2026-12-03T10:00:00.000Z');
export const SLA_MS = 180_000;

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

type EventWithoutTime = MachineEvent extends infer E ? (E extends MachineEvent ? Omit<E, 'at'> : never) : never;

/** Feeds events one after the other, a second apart; returns the final machine and every command, in order. */
export function feed(machine: OrderMachine, events: EventWithoutTime[], startAt = SUBMITTED_AT + 1000) {
  const commands: OrderCommand[] = [];
  events.forEach((event, i) => {
    const decision = decide(machine, { ...event, at: startAt + i * 1000 });
    machine = decision.machine;
    commands.push(...decision.commands);
  });
  return { machine, commands };
}

/** A new order whose first submission was sent. */
export const submitted = (extra: Partial<OrderMachine['facts']> = {}) => feed(newOrder(facts(extra)), [{ type: 'step', step: 'submit' }]).machine;

export const accepted = { type: 'carrier-answered', answer: { outcome: 'accepted', carrierOrderId: 'C-1', attempt: 1 } } as const;
export const refused = { type: 'carrier-answered', answer: { outcome: 'refused', reason: 'number not in service', attempt: 1 } } as const;
export const callback = (status: 'SUCCESS' | 'FAILED', callbackId = '1') =>
  ({ type: 'callback', callback: { callbackId, carrierOrderId: 'C-1', status, timestamp: '2026-12-03T10:00:05.000Z' } }) as const;
export const deadline = { type: 'deadline-reached' } as const;
export const statusSays = (answer: Extract<MachineEvent, { type: 'status-answered' }>['answer'], purpose: 'sla-deadline' | 'operator-retry' = 'sla-deadline') =>
  ({ type: 'status-answered', purpose, answer }) as const;
export const resolve = (outcome: 'SUCCEEDED' | 'FAILED', operator = 'alice') =>
  ({ type: 'operator-decision', decision: { action: 'resolve', outcome, note: 'checked', operator } }) as const;
export const retry = { type: 'operator-decision', decision: { action: 'retry', operator: 'alice' } } as const;

/** An order past its deadline that the carrier still has open: handed to an operator. */
export const escalated = () => feed(submitted(), [accepted, deadline, statusSays({ state: 'PROCESSING', carrierOrderId: 'C-1' })]).machine;

export const step = (machine: OrderMachine, continueAsNewSuggested = false) => nextStep(machine, { continueAsNewSuggested });
export const ofType = <T extends OrderCommand['type']>(commands: OrderCommand[], type: T) => commands.filter((c): c is Extract<OrderCommand, { type: T }> => c.type === type);
