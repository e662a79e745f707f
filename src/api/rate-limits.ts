import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { MerchantLimits } from '../db/merchant-repository.ts';
import { problem } from './errors.ts';

export interface RateLimitSettings {
  /** Order submissions per second one merchant may send, unless its own limit says otherwise (each API process counts its own). */
  merchantPerSecond: number;
  /** Reads per second one merchant may send (polls, balance, ledger), counted apart from submissions, unless its own limit says otherwise. */
  merchantReadsPerSecond?: number;
  /** API-key lookups that may fail per client address per minute before it is refused for a minute. */
  failedKeysPerMinute: number;
  /** The header that names the client's address behind a load balancer (its first entry); unset: the connection's. */
  clientAddressHeader?: string | undefined;
}

/** What a merchant's request is counted as: its submissions and its reads have limits of their own, so polling can never block its orders. */
export type RequestKind = 'submit' | 'read';

const DEFAULT_READS_PER_SECOND = 200;

function tooMany(c: Context, refusal: RateLimiterRes, message: string) {
  c.header('Retry-After', String(Math.max(1, Math.ceil(refusal.msBeforeNext / 1000))));
  return problem(c, 429, 'rate_limited', message);
}

/** One limiter per kind and rate: merchants with the same limit share one, which counts each merchant apart. */
function perSecondLimiters() {
  const limiters = new Map<string, RateLimiterMemory>();
  return (kind: RequestKind, points: number) => {
    const key = `${kind}:${points}`;
    let found = limiters.get(key);
    if (!found) {
      found = new RateLimiterMemory({ keyPrefix: `merchant-${key}`, points, duration: 1 });
      limiters.set(key, found);
    }
    return found;
  };
}

/**
 * The API's request limits: per merchant, so one merchant's burst cannot
 * crowd out the others (its submissions and its reads apart, each at the
 * merchant's own limit or the default), and per client address for failed
 * API-key lookups, so keys cannot be guessed at speed. In memory, per API
 * process (with N replicas behind a balancer, a merchant gets up to N times
 * the rate).
 */
export function createRateLimits({
  merchantPerSecond,
  merchantReadsPerSecond = DEFAULT_READS_PER_SECOND,
  failedKeysPerMinute,
  clientAddressHeader,
}: RateLimitSettings) {
  const defaults = { submit: merchantPerSecond, read: merchantReadsPerSecond };
  const limiter = perSecondLimiters();
  const failedKeys = new RateLimiterMemory({
    keyPrefix: 'failed-key',
    points: failedKeysPerMinute,
    duration: 60,
    blockDuration: 60,
  });

  const clientAddress = (c: Context): string => {
    const forwarded = clientAddressHeader && c.req.header(clientAddressHeader)?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
    try {
      return getConnInfo(c).remote.address ?? 'unknown';
    } catch {
      return 'unknown'; // in-process requests (tests) have no socket
    }
  };

  return {
    /** A 429 for a client address that has failed too many key lookups lately, else undefined. */
    async refuseBlockedAddress(c: Context) {
      const state = await failedKeys.get(clientAddress(c));
      return state && state.remainingPoints <= 0
        ? tooMany(c, state, 'Too many requests with unknown API keys from this address')
        : undefined;
    },
    /** Counts a failed key lookup against the client's address. */
    async countFailedKey(c: Context) {
      await failedKeys.consume(clientAddress(c)).catch(() => undefined);
    },
    /** The limits that apply to the merchant: its own, else the defaults. */
    limitsOf: (limits: MerchantLimits) => ({
      submitPerSecond: limits.submitPerSecond ?? defaults.submit,
      readPerSecond: limits.readPerSecond ?? defaults.read,
    }),
    /** A 429 once the merchant is over its rate for this kind of request, else undefined. */
    async refuseMerchantOverRate(c: Context, merchant: { id: string; limits: MerchantLimits }, kind: RequestKind) {
      const perSecond =
        (kind === 'submit' ? merchant.limits.submitPerSecond : merchant.limits.readPerSecond) ?? defaults[kind];
      try {
        await limiter(kind, perSecond).consume(merchant.id);
        return undefined;
      } catch (refusal) {
        if (!(refusal instanceof RateLimiterRes)) throw refusal;
        const what = kind === 'submit' ? 'order submissions' : 'reads';
        return tooMany(c, refusal, `At most ${perSecond} ${what} per second for this merchant`);
      }
    },
  };
}

export type RateLimits = ReturnType<typeof createRateLimits>;
