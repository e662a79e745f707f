import { describe, expect, it } from 'vitest';
import { MERCHANT_CACHE_TTL_MS, createMerchantCache } from '../../src/api/merchant-auth.ts';
import { MAX_ACTIVE_KEYS, mayIssueKey, revocationOf } from '../../src/merchants/api-keys.ts';

describe("a merchant's API keys", () => {
  it('holds at most 2 active keys: another is issued to a merchant with 0 or 1, never with 2 or more', () => {
    expect(MAX_ACTIVE_KEYS).toBe(2);
    expect([0, 1, 2, 3].map(mayIssueKey)).toEqual([true, true, false, false]);
  });

  it('revokes an active key unless it is the last active one, and leaves a revoked key as it is', () => {
    const active = { revokedAt: null };
    expect(revocationOf(active, 2)).toBe('revoke');
    expect(revocationOf(active, 1)).toBe('last-active-key');
    expect(revocationOf({ revokedAt: new Date() }, 1)).toBe('already-revoked');
    expect(revocationOf({ revokedAt: new Date() }, 2)).toBe('already-revoked');
  });

  it('is cached by each API process for well under 2 s, so every replica refuses a revoked key within 2 s', () => {
    expect(MERCHANT_CACHE_TTL_MS).toBeLessThanOrEqual(1_000);
    const cache = createMerchantCache();
    expect(cache.ttl).toBe(MERCHANT_CACHE_TTL_MS);
    expect(cache.updateAgeOnGet).toBe(false); // a merchant polling all the time must not keep its entry alive
  });
});
