import { createHash, randomBytes } from 'node:crypto';

/** A new merchant API key: 256 random bits, shown to the admin once and stored only as its hash. */
export const newApiKey = () => `rk_${randomBytes(32).toString('base64url')}`;

/** The secret that signs a merchant's result notifications. */
export const newCallbackSecret = () => randomBytes(32).toString('base64url');

/**
 * SHA-256, unsalted: the keys are random and long, so a slow password hash
 * would add nothing, and a deterministic hash lets a key be found by an index.
 */
export const hashApiKey = (apiKey: string) => createHash('sha256').update(apiKey).digest('hex');
