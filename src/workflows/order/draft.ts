/**
 * The working copy of the machine while it decides on one event: the one
 * place that records an event (timeline, and the view when asked), moves the
 * status (only along `canMove`) and changes an attempt.
 */
import type { DecisionResult } from '../../shared/operator-actions.ts';
import type { TransitionFields } from '../../shared/order-activities.ts';
import type { OrderEvent } from '../../shared/order-events.ts';
import { canMove, type OrderStatus } from '../../shared/order-status.ts';
import type { SupplierAttempt } from '../../shared/order-workflow.ts';
import type { Decision, OrderCommand, OrderMachine, Stage } from './state.ts';

type Detail = Record<string, unknown>;

/** The newest entries the workflow keeps (each decision copies them); the order view keeps the whole history. */
export const TIMELINE_LIMIT = 200;

export class Draft {
  readonly machine: OrderMachine;
  readonly commands: OrderCommand[] = [];
  readonly at: number;

  constructor(machine: OrderMachine, at: number) {
    // Copied, never changed in place: the machine a query or validator read stays as it was.
    this.machine = {
      ...machine,
      order: { ...machine.order, timeline: machine.order.timeline.slice(-(TIMELINE_LIMIT - 1)) },
    };
    this.at = at;
  }

  get stage(): Stage {
    return this.machine.stage;
  }

  set stage(stage: Stage) {
    this.machine.stage = stage;
  }

  iso(): string {
    return new Date(this.at).toISOString();
  }

  /** Adds the event to the timeline and, with `view`, writes it to the order view under the same name. */
  record(event: OrderEvent, detail?: Detail, { view = false } = {}): void {
    this.machine.order.timeline.push({ at: this.iso(), type: event, ...(detail && { detail }) });
    if (view) this.command({ type: 'write-view', event, ...(detail && { detail }) });
  }

  /**
   * Moves the status and records why, in the timeline and the view (unless
   * an activity `written` it there already); refused (false) unless
   * `canMove` allows it.
   */
  moveTo(
    to: OrderStatus,
    event: OrderEvent,
    detail: Detail = {},
    fields: TransitionFields = {},
    { written = false } = {},
  ): boolean {
    if (!canMove(this.machine.order.status, to)) return false;
    this.machine.order.status = to;
    this.machine.order.timeline.push({ at: this.iso(), type: event, detail: { status: to, ...detail } });
    this.command({ type: 'write-view', event, detail, transition: { to, fields }, ...(written && { written }) });
    return true;
  }

  attempt(number: number): SupplierAttempt | undefined {
    return this.machine.order.attempts.find((a) => a.attempt === number);
  }

  /** The latest attempt while its supplier may still credit the phone, if any. */
  openAttempt(): SupplierAttempt | undefined {
    const latest = this.machine.order.attempts.at(-1);
    return latest && latest.state !== 'declined' ? latest : undefined;
  }

  /** Replaces the attempt (attempts are copied, never changed in place). */
  updateAttempt(attempt: SupplierAttempt, change: Partial<SupplierAttempt>): SupplierAttempt {
    const updated = { ...attempt, ...change };
    this.machine.order.attempts = this.machine.order.attempts.map((a) => (a.attempt === attempt.attempt ? updated : a));
    return updated;
  }

  command(command: OrderCommand): void {
    this.commands.push(command);
  }

  /** Answers the operator's Update, if one waits (a decision sent as a signal has no one to answer). */
  reply(to: string | undefined, result: DecisionResult | { refused: string }): void {
    if (to !== undefined) this.command({ type: 'reply', to, result });
  }

  done(): Decision {
    return { machine: this.machine, commands: this.commands };
  }
}
