import { describe, expect, it } from 'vitest';
import { afterCall, mayProbe, probing, type Breaker, type CallOutcome } from '../../src/suppliers/breaker.ts';

const SETTINGS = { faultsToOpen: 3, coolDownMs: 15_000 };
const T0 = new Date('2026-12-05T10:00:00Z');
const AT = new Date('2026-12-05T10:01:00Z');
const breaker = (state: Breaker['state'], consecutiveFaults = 0): Breaker => ({
  state,
  consecutiveFaults,
  changedAt: T0,
});

describe('supplier circuit breaker: state × call outcome × clock → state', () => {
  it.each<[string, Breaker, CallOutcome, Breaker]>([
    ['a fault below the threshold counts', breaker('CLOSED', 1), 'fault', breaker('CLOSED', 2)],
    [
      'the fault that reaches the threshold opens it, now',
      breaker('CLOSED', 2),
      'fault',
      { state: 'OPEN', consecutiveFaults: 3, changedAt: AT },
    ],
    ['an answer while closed clears the count', breaker('CLOSED', 2), 'answer', breaker('CLOSED', 0)],
    [
      'a status answer changes nothing (it proves little of the recharge path)',
      breaker('CLOSED', 2),
      'status-answer',
      breaker('CLOSED', 2),
    ],
    ['a fault while open counts and keeps its cool-down running', breaker('OPEN', 3), 'fault', breaker('OPEN', 4)],
    [
      'an answer while open (a call sent before it opened) closes it',
      breaker('OPEN', 3),
      'answer',
      { state: 'CLOSED', consecutiveFaults: 0, changedAt: AT },
    ],
    [
      "the probe's fault opens it again, for a new cool-down",
      breaker('HALF_OPEN', 3),
      'fault',
      { state: 'OPEN', consecutiveFaults: 4, changedAt: AT },
    ],
    [
      "the probe's answer closes it",
      breaker('HALF_OPEN', 3),
      'answer',
      { state: 'CLOSED', consecutiveFaults: 0, changedAt: AT },
    ],
    [
      "the probe's status answer leaves it half-open",
      breaker('HALF_OPEN', 3),
      'status-answer',
      breaker('HALF_OPEN', 3),
    ],
  ])('%s', (_, before, outcome, after) => {
    expect(afterCall(before, outcome, SETTINGS, AT)).toEqual(after);
  });

  it('lets a probe through only once open (or probing) for a whole cool-down, and marks it half-open from then', () => {
    const coolDownEnds = new Date(T0.getTime() + SETTINGS.coolDownMs);
    expect(mayProbe(breaker('OPEN'), SETTINGS, new Date(coolDownEnds.getTime() - 1))).toBe(false);
    expect(mayProbe(breaker('OPEN'), SETTINGS, coolDownEnds)).toBe(true);
    // A probe that never reported back (its worker died) is tried again after another cool-down.
    expect(mayProbe(breaker('HALF_OPEN'), SETTINGS, coolDownEnds)).toBe(true);
    expect(mayProbe(breaker('CLOSED'), SETTINGS, coolDownEnds)).toBe(false);
    expect(probing(breaker('OPEN', 3), AT)).toEqual({ state: 'HALF_OPEN', consecutiveFaults: 3, changedAt: AT });
  });
});
