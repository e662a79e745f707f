import { randomBytes } from 'node:crypto';
import { hashApiKey } from '../merchants/credentials.ts';

/** A new operator token: 256 random bits, printed once when the operator is added and stored only as its hash. */
export const newOperatorToken = () => `op_${randomBytes(32).toString('base64url')}`;

/** SHA-256, as merchants' API keys: random, long tokens need no slow hash, and an index finds them. */
export const hashToken = hashApiKey;
