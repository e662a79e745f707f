import { randomUUID } from 'node:crypto';
import { LAST_USED_EVERY_SECONDS, mayIssueKey, revocationOf } from '../merchants/api-keys.ts';
import { ratesOf } from './merchant-rates.ts';
import { preparedSql, type Db, type PreparedSql } from './prisma.ts';

/** A merchant's key as admins see it: never the key, never its hash. */
export interface ApiKeyRow {
  id: string;
  merchantId: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdBy: string | null;
  revokedBy: string | null;
}

const keyFields = {
  id: true,
  merchantId: true,
  createdAt: true,
  lastUsedAt: true,
  revokedAt: true,
  createdBy: true,
  revokedBy: true,
} as const;

export type IssueKeyResult = { outcome: 'issued'; key: ApiKeyRow } | { outcome: 'no-merchant' | 'too-many-keys' };
export type RevokeKeyResult =
  | { outcome: 'revoked' | 'already-revoked'; key: ApiKeyRow }
  | { outcome: 'no-merchant' | 'no-key' | 'last-active-key' };

type Transaction = Parameters<Parameters<Db['$transaction']>[0]>[0];

/** Locks the merchant's row for the rest of the transaction, so that key changes of one merchant go one at a time. */
async function lockMerchant(tx: Transaction, merchantId: string): Promise<boolean> {
  const rows = await tx.$queryRaw<unknown[]>`SELECT id FROM merchants WHERE id = ${merchantId} FOR NO KEY UPDATE`;
  return rows.length === 1;
}

const activeKeysOf = (tx: Transaction, merchantId: string) =>
  tx.merchantApiKey.count({ where: { merchantId, revokedAt: null } });

interface MerchantByKey {
  id: string;
  name: string;
  submitPerSecond: number | null;
  readPerSecond: number | null;
  rates: { carrier: string; rate: number; slowRate: number | null }[] | null;
}

/**
 * The merchant an active key belongs to, in one statement on the key's
 * unique index; it records the key's use when the last record is a minute
 * old or more, so a merchant's steady traffic writes at most once a minute per key.
 */
async function merchantByKeyHash(sql: PreparedSql, keyHash: string) {
  const [row] = await sql<MerchantByKey>`
    WITH touched AS (
      UPDATE merchant_api_keys SET last_used_at = now()
      WHERE key_hash = ${keyHash} AND revoked_at IS NULL
        AND (last_used_at IS NULL OR last_used_at < now() - ${LAST_USED_EVERY_SECONDS}::int * interval '1 second')
    )
    SELECT m.id, m.name, m.submit_rate_limit_per_second AS "submitPerSecond", m.read_rate_limit_per_second AS "readPerSecond",
      (SELECT json_agg(json_build_object('carrier', r.carrier, 'rate', r.rate, 'slowRate', r.slow_rate))
       FROM merchant_rates r WHERE r.merchant_id = m.id) AS rates
    FROM merchant_api_keys k JOIN merchants m ON m.id = k.merchant_id
    WHERE k.key_hash = ${keyHash} AND k.revoked_at IS NULL`;
  if (!row) return null;
  return {
    id: row.id,
    name: row.name,
    // NUMERIC(7,6) read as a JSON number: "0.985000" is 0.985, written back as "0.985", as Prisma's Decimal writes it.
    rates: ratesOf(row.rates ?? []),
    limits: { submitPerSecond: row.submitPerSecond, readPerSecond: row.readPerSecond },
  };
}

/** Issues a key unless the merchant has none or already holds MAX_ACTIVE_KEYS active ones. */
function issueKey(db: Db, merchantId: string, keyHash: string, operator: string): Promise<IssueKeyResult> {
  return db.$transaction(async (tx): Promise<IssueKeyResult> => {
    if (!(await lockMerchant(tx, merchantId))) return { outcome: 'no-merchant' };
    if (!mayIssueKey(await activeKeysOf(tx, merchantId))) return { outcome: 'too-many-keys' };
    const key = await tx.merchantApiKey.create({
      data: { id: randomUUID(), merchantId, keyHash, createdBy: operator },
      select: keyFields,
    });
    return { outcome: 'issued', key };
  });
}

/** Revokes a merchant's key, unless it is its last active one (see revocationOf). */
function revokeKey(db: Db, merchantId: string, keyId: string, operator: string): Promise<RevokeKeyResult> {
  return db.$transaction(async (tx): Promise<RevokeKeyResult> => {
    if (!(await lockMerchant(tx, merchantId))) return { outcome: 'no-merchant' };
    const key = await tx.merchantApiKey.findFirst({ where: { id: keyId, merchantId } });
    if (!key) return { outcome: 'no-key' };
    const decision = revocationOf(key, await activeKeysOf(tx, merchantId));
    if (decision === 'last-active-key') return { outcome: decision };
    if (decision === 'already-revoked') return { outcome: decision, key: pick(key) };
    const revoked = await tx.merchantApiKey.update({
      where: { id: keyId },
      data: { revokedAt: new Date(), revokedBy: operator },
      select: keyFields,
    });
    // The previous build's API processes read the merchant's first key here during a rolling upgrade: they refuse it too.
    await tx.merchant.updateMany({ where: { id: merchantId, apiKeyHash: key.keyHash }, data: { apiKeyHash: null } });
    return { outcome: 'revoked', key: revoked };
  });
}

const pick = ({ id, merchantId, createdAt, lastUsedAt, revokedAt, createdBy, revokedBy }: ApiKeyRow): ApiKeyRow => ({
  id,
  merchantId,
  createdAt,
  lastUsedAt,
  revokedAt,
  createdBy,
  revokedBy,
});

/** Merchants' API keys: the authentication lookup, and issuing, listing and revoking keys. */
export function createMerchantKeyRepository(db: Db) {
  const sql = preparedSql(db);
  return {
    /** The merchant a request's API key (an active one) belongs to, with what pricing an order needs and its own request limits. */
    findByApiKeyHash: (keyHash: string) => merchantByKeyHash(sql, keyHash),

    /** Issues a key as `operator` (recorded on it). */
    issueKey: (merchantId: string, keyHash: string, operator: string) => issueKey(db, merchantId, keyHash, operator),

    /** Revokes a key as `operator` (recorded on it). */
    revokeKey: (merchantId: string, keyId: string, operator: string) => revokeKey(db, merchantId, keyId, operator),

    /** A merchant's keys, oldest first, revoked ones included; undefined if there is no such merchant. */
    async listKeys(merchantId: string): Promise<ApiKeyRow[] | undefined> {
      const [merchant, keys] = await Promise.all([
        db.merchant.findUnique({ where: { id: merchantId }, select: { id: true } }),
        db.merchantApiKey.findMany({
          where: { merchantId },
          orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
          select: keyFields,
        }),
      ]);
      return merchant ? keys : undefined;
    },
  };
}
