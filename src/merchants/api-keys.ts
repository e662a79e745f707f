/**
 * The rules of a merchant's API keys (pure): how many may be active at once,
 * which revocations are taken, and how often a key's last use is recorded.
 */

/** Two: the key in use and its replacement, while the merchant rotates. */
export const MAX_ACTIVE_KEYS = 2;

/** A key's last use is written at most this often (its `lastUsedAt` is right to within this). */
export const LAST_USED_EVERY_SECONDS = 60;

/** Whether a merchant holding `activeKeys` active keys may be issued another. */
export const mayIssueKey = (activeKeys: number) => activeKeys < MAX_ACTIVE_KEYS;

export type RevocationDecision = 'revoke' | 'already-revoked' | 'last-active-key';

/**
 * What revoking a key does: an active key is revoked unless it is the
 * merchant's last active one (the merchant would be locked out: issue its
 * replacement first); a revoked key stays as it is (a repeat is answered as
 * the first revocation was).
 */
export function revocationOf(key: { revokedAt: Date | null }, activeKeys: number): RevocationDecision {
  if (key.revokedAt !== null) return 'already-revoked';
  return activeKeys <= 1 ? 'last-active-key' : 'revoke';
}
