/**
 * The working copy of the machine while it decides on one event: the one
 * place that records an event (timeline, and the view when asked) and moves
 * the status, and only along `canMove`.
 */
import type { TransitionFields } from '../../shared/order-activities.ts';
import { OrderEvent } from '../../shared/order-events.ts';
import { canMove, type OrderStatus } from '../../shared/order-status.ts';
import type { OrderOutcome } from '../../shared/order-workflow.ts';
import type { Decision, OrderCommand, OrderMachine, Stage } from './state.ts';

type Detail = Record<string, unknown>;
type Since = Extract<OrderCommand, { type: 'write-view' }>['since'];

/** The newest entries the workflow keeps (each decision copies them); the order view keeps the whole history. */
export const TIMELINE_LIMIT = 200;

export class Draft {
  readonly machine: OrderMachine;
  readonly commands: OrderCommand[] = [];
  readonly at: number;

  constructor(machine: OrderMachine, at: number) {
    // Copied, never mutated in place: the machine a handler read stays as it was.
    this.machine = { ...machine, order: { ...machine.order, timeline: machine.order.timeline.slice(-(TIMELINE_LIMIT - 1)) } };
    this.at = at;
  }

  get status(): OrderStatus {
    return this.machine.order.status;
  }

  get stage(): Stage {
    return this.machine.stage;
  }

  set stage(stage: Stage) {
    this.machine.stage = stage;
  }

  /** The decided outcome, if any. */
  get outcome(): OrderOutcome | undefined {
    const { stage } = this.machine;
    return stage.name === 'decided' || stage.name === 'finished' ? stage.outcome : undefined;
  }

  iso(): string {
    return new Date(this.at).toISOString();
  }

  /** Adds the event to the timeline and, with `view`, asks for it to be written to the order view under the same name. */
  record(event: OrderEvent, detail?: Detail, view?: { since?: Since }): void {
    this.machine.order.timeline.push({ at: this.iso(), type: event, ...(detail && { detail }) });
    if (view) this.command({ type: 'write-view', event, ...(detail && { detail }), ...(view.since !== undefined && { since: view.since }) });
  }

  /** Moves the status and records why, in the timeline and the view; refused (false) unless `canMove` allows it. */
  moveTo(to: OrderStatus, event: OrderEvent, detail: Detail = {}, fields: TransitionFields = {}, since?: Since): boolean {
    if (!canMove(this.status, to)) return false;
    this.machine.order.status = to;
    this.machine.order.timeline.push({ at: this.iso(), type: event, detail: { status: to, ...detail } });
    this.command({ type: 'write-view', event, detail, transition: { to, fields }, ...(since !== undefined && { since }) });
    return true;
  }

  /** Decides the outcome, once: a later decision changes nothing. */
  settle(outcome: OrderOutcome): void {
    if (this.outcome) return;
    this.stage = { name: 'decided', outcome };
    this.record(OrderEvent.OUTCOME_DECIDED, { ...outcome });
  }

  command(command: OrderCommand): void {
    this.commands.push(command);
  }

  done(): Decision {
    return { machine: this.machine, commands: this.commands };
  }
}
