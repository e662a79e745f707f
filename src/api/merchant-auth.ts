import type { MiddlewareHandler } from 'hono';
import { LRUCache } from 'lru-cache';
import type { AuthenticatedMerchant, MerchantRepository } from '../db/merchant-repository.ts';
import { hashApiKey } from '../merchants/credentials.ts';
import { problem } from './errors.ts';
import { bearerTokenOf } from '../util/bearer.ts';
import type { RateLimits } from './rate-limits.ts';

/** What the merchant routes find in their context. */
export type MerchantEnv = { Variables: { merchant: AuthenticatedMerchant } };

/**
 * Known keys are cached briefly, so an order or a poll costs no database
 * round trip for authentication. Unknown (and revoked) keys are not cached:
 * a merchant or key created a moment ago must be let in at once. A change of
 * a merchant's limits or keys clears the cache of the API process that made
 * it; every other replica sees it, a revoked key refused, within the
 * lifetime, which stays under the 2 s the platform promises (a cached entry
 * is at most this old, counted from its lookup's start). A lookup is one indexed
 * statement, so each replica asks at most once a second per key in use.
 */
export const MERCHANT_CACHE_TTL_MS = 1_000;

/**
 * Merchants by the hash of their API key, as merchantAuth caches them. It
 * counts its clears: a lookup that began before a clear (a key revoked
 * meanwhile) must not put its answer back.
 */
export class MerchantCache extends LRUCache<string, AuthenticatedMerchant> {
  clears = 0;

  override clear(): void {
    this.clears++;
    super.clear();
  }
}

export const createMerchantCache = (): MerchantCache => new MerchantCache({ max: 10_000, ttl: MERCHANT_CACHE_TTL_MS });

/**
 * Merchant API-key guard: 401 without a key or with a key no merchant has;
 * 429 (with Retry-After) for a merchant over its rate (a POST counts as a
 * submission, anything else as a read), or for an address that failed too
 * many key lookups.
 */
export function merchantAuth(
  merchants: Pick<MerchantRepository, 'findByApiKeyHash'>,
  limits: RateLimits,
  known: MerchantCache = createMerchantCache(),
): MiddlewareHandler<MerchantEnv> {
  /** The lifetime counts from the lookup's start, so no answer outlives a revocation by more than MERCHANT_CACHE_TTL_MS. */
  async function lookUp(hash: string) {
    const [startedAt, clears] = [Date.now(), known.clears];
    const merchant = await merchants.findByApiKeyHash(hash);
    const ttl = MERCHANT_CACHE_TTL_MS - (Date.now() - startedAt);
    if (merchant && ttl > 0 && known.clears === clears) known.set(hash, merchant, { ttl });
    return merchant;
  }
  return async (c, next) => {
    const blocked = await limits.refuseBlockedAddress(c);
    if (blocked) return blocked;
    const key = bearerTokenOf(c.req.header('authorization'));
    const hash = key === undefined ? undefined : hashApiKey(key);
    const merchant = hash ? (known.get(hash) ?? (await lookUp(hash))) : undefined;
    if (!hash || !merchant) {
      await limits.countFailedKey(c);
      c.header('WWW-Authenticate', 'Bearer realm="merchant"');
      return problem(
        c,
        401,
        'unauthenticated',
        hash ? 'Unknown API key' : 'Send your merchant API key as Authorization: Bearer <key>',
      );
    }
    const overRate = await limits.refuseMerchantOverRate(c, merchant, c.req.method === 'POST' ? 'submit' : 'read');
    if (overRate) return overRate;
    c.set('merchant', merchant);
    await next();
  };
}
