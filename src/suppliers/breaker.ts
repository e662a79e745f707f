/**
 * A supplier's circuit breaker as a pure function: state × a call's outcome
 * × the clock → the next state. Faults in a row open it; after a cool-down,
 * one call (a probe) goes through half-open; its answer closes it, its fault
 * opens it again. The repository stores what these decide, compare-and-set,
 * so workers racing on one supplier agree.
 */
import { BreakerState } from '../shared/suppliers.ts';

export interface Breaker {
  state: BreakerState;
  consecutiveFaults: number;
  /** When it last changed state (opened, started a probe, closed). */
  changedAt: Date;
}

/** Faults in a row that open it, and how long it stays open before a probe. */
export interface BreakerSettings {
  faultsToOpen: number;
  coolDownMs: number;
}

/** How a supplier call ended: a fault (timeout, connection error, 5xx), an answer to a recharge, or an answer to a status question. */
export type CallOutcome = 'fault' | 'answer' | 'status-answer';

/** The breaker after a call that ended with `outcome` at `at`. A status answer proves little of the recharge path: it changes nothing. */
export function afterCall(
  breaker: Breaker,
  outcome: CallOutcome,
  { faultsToOpen }: BreakerSettings,
  at: Date,
): Breaker {
  if (outcome === 'status-answer') return breaker;
  if (outcome === 'answer') {
    if (breaker.state === BreakerState.CLOSED) return { ...breaker, consecutiveFaults: 0 };
    return { state: BreakerState.CLOSED, consecutiveFaults: 0, changedAt: at };
  }
  const consecutiveFaults = breaker.consecutiveFaults + 1;
  const opens =
    breaker.state === BreakerState.HALF_OPEN ||
    (breaker.state === BreakerState.CLOSED && consecutiveFaults >= faultsToOpen);
  return opens ? { state: BreakerState.OPEN, consecutiveFaults, changedAt: at } : { ...breaker, consecutiveFaults };
}

/** Whether a probe may go through at `at`: open (or a probe started and never reported) for at least the cool-down. */
export function mayProbe(breaker: Breaker, { coolDownMs }: BreakerSettings, at: Date): boolean {
  return breaker.state !== BreakerState.CLOSED && breaker.changedAt.getTime() + coolDownMs <= at.getTime();
}

/** The breaker once a probe is claimed at `at`: half-open, every other call kept off. */
export function probing(breaker: Breaker, at: Date): Breaker {
  return { ...breaker, state: BreakerState.HALF_OPEN, changedAt: at };
}

/** A supplier's breaker, from its stored columns. */
export const breakerOf = (row: {
  breakerState: BreakerState;
  consecutiveFaults: number;
  breakerChangedAt: Date;
}): Breaker => ({
  state: row.breakerState,
  consecutiveFaults: row.consecutiveFaults,
  changedAt: row.breakerChangedAt,
});

export const sameBreaker = (a: Breaker, b: Breaker) =>
  a.state === b.state && a.consecutiveFaults === b.consecutiveFaults && a.changedAt.getTime() === b.changedAt.getTime();
