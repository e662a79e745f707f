import { z } from 'zod';
import { presentVariables } from '../config.ts';
import { RATE_PATTERN } from '../merchants/pricing.ts';

const rate = z.coerce.number().min(0).max(1);
const ms = z.coerce.number().int().min(0);

/**
 * How the simulated carrier behaves. The defaults are a healthy carrier: it
 * accepts every valid request and calls back with success within a second.
 */
export const behaviourSchema = z.object({
  seed: z.string().default('recharge'),
  /** Delay before every answer of the recharge and status endpoints. */
  latencyMs: ms.default(0),
  /** Share of valid requests refused as a business decision ("number not in service"). */
  refusalRate: rate.default(0),
  /** Share of request attempts answered 503 without taking the order. */
  serverErrorRate: rate.default(0),
  /** Share of requests taken but answered only after `hangMs`: the caller times out not knowing. */
  timeoutRate: rate.default(0),
  hangMs: ms.default(30_000),
  /** Share of accepted orders whose final result is FAILED. */
  failureRate: rate.default(0),
  callbackMinDelayMs: ms.default(100),
  callbackMaxDelayMs: ms.default(1_000),
  /** Share of results whose callback is never sent (the status endpoint still knows). */
  callbackLossRate: rate.default(0),
  /** Share of results whose callback is sent twice. */
  callbackDuplicateRate: rate.default(0),
  /** Share of accepted orders decided at once and called back before the recharge answer is sent (`earlyAnswerDelayMs` later). */
  earlyCallbackRate: rate.default(0),
  earlyAnswerDelayMs: ms.default(500),
  /** An outage: every recharge and status request fails (503) or hangs for `hangMs` first, and takes nothing. */
  outage: z.union([z.boolean(), z.stringbool()]).default(false),
  /**
   * What it charges for a request it credits, as a fraction of face value
   * (rounded to the fen as merchants' prices are): the simulated suppliers'
   * rate (SIMULATED_SUPPLIER_RATE), so its bill equals what the platform books.
   */
  chargeRate: z.string().regex(RATE_PATTERN, 'must be a rate such as 0.97').default('0.97'),
});
export type Behaviour = z.infer<typeof behaviourSchema>;

/** The environment variable of one setting: callbackLossRate → CARRIER_SIM_CALLBACK_LOSS_RATE. */
export const behaviourVariable = (key: keyof Behaviour) =>
  `CARRIER_SIM_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

/** Reads CARRIER_SIM_* variables, e.g. CARRIER_SIM_REFUSAL_RATE=0.1 for refusalRate. */
export function behaviourFromEnv(env: NodeJS.ProcessEnv): Behaviour {
  const present = presentVariables(env);
  const fromEnv = Object.fromEntries(
    Object.keys(behaviourSchema.shape).flatMap((key) => {
      const value = present[behaviourVariable(key as keyof Behaviour)];
      return value === undefined ? [] : [[key, value]];
    }),
  );
  return behaviourSchema.parse(fromEnv);
}
