import { behaviourVariable, type Behaviour } from '../src/carrier-sim/behaviour.ts';

/** Each supplier for the whole run (each with its own seed): lossy and duplicating callbacks, some early, some refusals, failures and hung answers. */
export const RUN_CARRIER = {
  callbackLossRate: 0.2,
  callbackDuplicateRate: 0.2,
  earlyCallbackRate: 0.1,
  refusalRate: 0.05,
  failureRate: 0.1,
  timeoutRate: 0.03,
  hangMs: 15_000, // past the worker's 10 s carrier timeout: an unknown outcome
  callbackMinDelayMs: 200,
  callbackMaxDelayMs: 3_000,
} satisfies Partial<Behaviour>;

/** The simulator's environment for this run. */
export const runCarrierEnv = (seed: string): Record<string, string> => ({
  [behaviourVariable('seed')]: seed,
  ...Object.fromEntries(
    Object.entries(RUN_CARRIER).map(([key, value]) => [behaviourVariable(key as keyof Behaviour), String(value)]),
  ),
});

const percent = (rate: number) => `${Math.round(rate * 100)}%`;

export const describeRunCarrier = () =>
  `at each of the two simulated suppliers, ${percent(RUN_CARRIER.callbackLossRate)} of callbacks lost, ${percent(RUN_CARRIER.callbackDuplicateRate)} sent twice, ` +
  `${percent(RUN_CARRIER.earlyCallbackRate)} sent before the carrier answers the recharge request; ` +
  `${percent(RUN_CARRIER.refusalRate)} refused, ${percent(RUN_CARRIER.failureRate)} failed, ` +
  `${percent(RUN_CARRIER.timeoutRate)} of first answers held ${RUN_CARRIER.hangMs / 1000} s (past our timeout)`;
