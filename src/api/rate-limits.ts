import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { problem } from './errors.ts';

export interface RateLimitSettings {
  /** Requests per second one merchant may send (each API process counts its own). */
  merchantPerSecond: number;
  /** API-key lookups that may fail per client address per minute before it is refused for a minute. */
  failedKeysPerMinute: number;
  /** The header that names the client's address behind a load balancer (its first entry); unset: the connection's. */
  clientAddressHeader?: string | undefined;
}

/**
 * The API's request limits: per merchant, so one merchant's burst cannot
 * crowd out the others, and per client address for failed API-key lookups,
 * so keys cannot be guessed at speed. In memory, per API process (with N
 * replicas behind a balancer, a merchant gets up to N times the rate).
 */
export function createRateLimits({ merchantPerSecond, failedKeysPerMinute, clientAddressHeader }: RateLimitSettings) {
  const perMerchant = new RateLimiterMemory({ keyPrefix: 'merchant', points: merchantPerSecond, duration: 1 });
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
  const tooMany = (c: Context, refusal: RateLimiterRes, message: string) => {
    c.header('Retry-After', String(Math.max(1, Math.ceil(refusal.msBeforeNext / 1000))));
    return problem(c, 429, 'rate_limited', message);
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
    /** A 429 once the merchant is over its rate, else undefined. */
    async refuseMerchantOverRate(c: Context, merchantId: string) {
      try {
        await perMerchant.consume(merchantId);
        return undefined;
      } catch (refusal) {
        if (!(refusal instanceof RateLimiterRes)) throw refusal;
        return tooMany(c, refusal, `At most ${merchantPerSecond} requests per second per merchant`);
      }
    },
  };
}

export type RateLimits = ReturnType<typeof createRateLimits>;
