import { Hono, type Context } from 'hono';
import type { ApiKeyRow } from '../../db/merchant-key-repository.ts';
import { MAX_ACTIVE_KEYS } from '../../merchants/api-keys.ts';
import { hashApiKey, newApiKey } from '../../merchants/credentials.ts';
import type { AdminEnv } from '../admin-auth.ts';
import type { ApiDeps } from '../deps.ts';
import { merchantNotFound, problem } from '../errors.ts';
import type { MerchantCache } from '../merchant-auth.ts';
import { merchantIdParam, merchantKeyIdParam, noQuery } from '../request-schemas.ts';
import { validate } from '../validate.ts';

type Deps = Pick<ApiDeps, 'merchants' | 'logger'>;

/** A key as admins see it: when it was issued, last used (to within a minute) and revoked; never the key or its hash. */
export const keyJson = (key: ApiKeyRow) => ({
  keyId: key.id,
  createdAt: key.createdAt.toISOString(),
  lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
  revokedAt: key.revokedAt?.toISOString() ?? null,
  active: key.revokedAt === null,
  createdBy: key.createdBy,
  revokedBy: key.revokedBy,
});

const keysPath = (merchantId: string) => `/admin/merchants/${merchantId}/keys`;

/** Issues another key, shown only in this answer (only its hash is stored); 409 if the merchant holds MAX_ACTIVE_KEYS active ones. */
async function issueKey({ merchants, logger }: Deps, c: Context<AdminEnv>, merchantId: string) {
  const apiKey = newApiKey();
  const operator = c.get('operator').name;
  const result = await merchants.issueKey(merchantId, hashApiKey(apiKey), operator);
  switch (result.outcome) {
    case 'no-merchant':
      return merchantNotFound(c, merchantId);
    case 'too-many-keys':
      return problem(
        c,
        409,
        'too_many_keys',
        `Merchant ${merchantId} already holds ${MAX_ACTIVE_KEYS} active keys: revoke one (DELETE ${keysPath(merchantId)}/<keyId>) before issuing another`,
      );
    default:
      logger.info({ merchantId, keyId: result.key.id, operator }, 'merchant key issued');
      return c.json({ merchantId, ...keyJson(result.key), apiKey }, 201);
  }
}

/** Revokes a key; this process refuses it at once (its cache is cleared), other replicas within their cache's lifetime. */
async function revokeKey(
  { merchants, logger }: Deps,
  cache: MerchantCache,
  c: Context<AdminEnv>,
  merchantId: string,
  keyId: string,
) {
  const operator = c.get('operator').name;
  const result = await merchants.revokeKey(merchantId, keyId, operator);
  switch (result.outcome) {
    case 'no-merchant':
      return merchantNotFound(c, merchantId);
    case 'no-key':
      return problem(c, 404, 'key_not_found', `Merchant ${merchantId} has no key ${keyId}`);
    case 'last-active-key':
      return problem(
        c,
        409,
        'last_active_key',
        `Key ${keyId} is the only active key of merchant ${merchantId}: issue its replacement first (POST ${keysPath(merchantId)})`,
      );
    default:
      if (result.outcome === 'revoked') {
        cache.clear();
        logger.info({ merchantId, keyId, operator }, 'merchant key revoked');
      }
      return c.json({ merchantId, ...keyJson(result.key) });
  }
}

/** A merchant's API keys, for the platform's admins: issue another, list them, revoke one (mounted at /admin/merchants/:merchantId/keys). */
export function adminMerchantKeyRoutes(deps: Deps, merchantCache: MerchantCache) {
  return new Hono<AdminEnv>()
    .post('/', validate('param', merchantIdParam), validate('query', noQuery), (c) =>
      issueKey(deps, c, c.req.valid('param').merchantId),
    )
    .get('/', validate('param', merchantIdParam), validate('query', noQuery), async (c) => {
      const { merchantId } = c.req.valid('param');
      const keys = await deps.merchants.listKeys(merchantId);
      if (!keys) return merchantNotFound(c, merchantId);
      return c.json({ merchantId, maxActiveKeys: MAX_ACTIVE_KEYS, keys: keys.map(keyJson) });
    })
    .delete('/:keyId', validate('param', merchantKeyIdParam), validate('query', noQuery), (c) => {
      const { merchantId, keyId } = c.req.valid('param');
      return revokeKey(deps, merchantCache, c, merchantId, keyId);
    });
}
