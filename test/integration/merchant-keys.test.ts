import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMerchantRepository } from '../../src/db/merchant-repository.ts';
import { applyMigrations } from '../../src/db/migrate.ts';
import { createPrisma } from '../../src/db/prisma.ts';
import { createTemporaryDatabase } from '../../src/dev/temporary-database.ts';
import { hashApiKey, newApiKey } from '../../src/merchants/credentials.ts';
import {
  ADMIN_TOKEN,
  createTestMerchant,
  startStack,
  testDatabaseUrl,
  type Stack,
  type TestMerchant,
} from './harness.ts';
import { untypedJson, type UntypedJson } from '../untyped-json.ts';

/**
 * Key rotation over the real API and PostgreSQL: a second key, revocation
 * seen by every API replica within 2 s, the limit of 2 active keys under
 * concurrent issues. Two replicas: the stack's API and another on the same
 * database, each with its own merchant cache, as two processes would have.
 */

let stack: Stack;
let replicaUrl: string;
beforeAll(async () => {
  stack = await startStack();
  replicaUrl = await stack.startApiWithSla(stack.slaSeconds);
}, 60_000);
afterAll(async () => {
  await stack?.stop();
});

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const UNKNOWN_ID = '3f0c2b1a-9d8e-4c7b-a6f5-e4d3c2b1a0f9';

async function call(path: string, { method = 'GET', headers = admin, url = stack.apiUrl } = {}) {
  const response = await fetch(`${url}${path}`, { method, headers });
  const text = await response.text();
  const body: UntypedJson = text ? JSON.parse(text) : {};
  return { status: response.status, body };
}
const bearer = (apiKey: string) => ({ authorization: `Bearer ${apiKey}` });
const balanceStatus = async (apiKey: string, url = stack.apiUrl) =>
  (await call('/balance', { headers: bearer(apiKey), url })).status;
const keysOf = (merchantId: string) => `/admin/merchants/${merchantId}/keys`;
const issue = (merchantId: string, url = stack.apiUrl) => call(keysOf(merchantId), { method: 'POST', url });
const revoke = (merchantId: string, keyId: string, url = stack.apiUrl) =>
  call(`${keysOf(merchantId)}/${keyId}`, { method: 'DELETE', url });
const activeKeys = (merchantId: string) =>
  stack.prisma.merchantApiKey.count({ where: { merchantId, revokedAt: null } });
async function firstKeyId(merchant: TestMerchant): Promise<string> {
  const { body } = await call(keysOf(merchant.id));
  return body.keys[0].keyId as string;
}

describe('merchant key rotation over HTTP', () => {
  it('issues a second key shown once; both keys work; the list never shows a key or its hash', async () => {
    const merchant = await createTestMerchant(stack.prisma);
    const issued = await issue(merchant.id);
    expect(issued).toMatchObject({
      status: 201,
      body: {
        merchantId: merchant.id,
        keyId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        apiKey: expect.stringMatching(/^rk_/),
        revokedAt: null,
        active: true,
        // Who issued it: the token's operator (here the development bootstrap admin).
        createdBy: 'bootstrap-admin',
      },
    });
    const second = issued.body.apiKey as string;
    expect(await balanceStatus(merchant.apiKey)).toBe(200);
    expect(await balanceStatus(second)).toBe(200);
    expect(await balanceStatus(second, replicaUrl)).toBe(200);

    const listed = await call(keysOf(merchant.id));
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ merchantId: merchant.id, maxActiveKeys: 2 });
    expect(listed.body.keys.map((k: { keyId: string }) => k.keyId)).toEqual([
      await firstKeyId(merchant),
      issued.body.keyId,
    ]);
    for (const key of listed.body.keys) {
      expect(Object.keys(key).sort()).toEqual([
        'active',
        'createdAt',
        'createdBy',
        'keyId',
        'lastUsedAt',
        'revokedAt',
        'revokedBy',
      ]);
      expect(key).toMatchObject({ active: true, revokedAt: null, lastUsedAt: expect.any(String) }); // both were used
    }
    const text = JSON.stringify(listed.body);
    for (const secret of [merchant.apiKey, second, hashApiKey(merchant.apiKey), hashApiKey(second)])
      expect(text).not.toContain(secret);
    // Only hashes are stored.
    expect(await stack.prisma.merchantApiKey.count({ where: { keyHash: { in: [merchant.apiKey, second] } } })).toBe(0);
    expect(await stack.prisma.merchantApiKey.count({ where: { keyHash: hashApiKey(second) } })).toBe(1);
  });

  it('refuses a revoked key at once on the API that revoked it and within 2 s on another replica; the other key goes on', async () => {
    const merchant = await createTestMerchant(stack.prisma);
    const second = (await issue(merchant.id)).body.apiKey as string;
    const oldKeyId = await firstKeyId(merchant);
    // The replica has the merchant cached by the old key.
    expect(await balanceStatus(merchant.apiKey, replicaUrl)).toBe(200);
    expect(await balanceStatus(merchant.apiKey)).toBe(200);

    const revoked = await revoke(merchant.id, oldKeyId);
    const revokedAt = Date.now();
    expect(revoked).toMatchObject({
      status: 200,
      body: {
        merchantId: merchant.id,
        keyId: oldKeyId,
        active: false,
        revokedAt: expect.any(String),
        revokedBy: 'bootstrap-admin',
      },
    });
    expect(await call('/balance', { headers: bearer(merchant.apiKey) })).toMatchObject({
      status: 401,
      body: { error: 'unauthenticated', message: 'Unknown API key' },
    });
    // The other replica refuses it as soon as its cache entry expires: polled, not slept, and timed.
    while ((await balanceStatus(merchant.apiKey, replicaUrl)) === 200) {
      expect(Date.now() - revokedAt).toBeLessThan(2_000);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(Date.now() - revokedAt).toBeLessThan(2_000);
    expect(await balanceStatus(merchant.apiKey, replicaUrl)).toBe(401);
    expect(await balanceStatus(second)).toBe(200);
    expect(await balanceStatus(second, replicaUrl)).toBe(200);

    // A repeat answers the same and changes nothing.
    expect(await revoke(merchant.id, oldKeyId)).toEqual(revoked);
    const listed = (await call(keysOf(merchant.id))).body.keys;
    expect(listed.map((k: { active: boolean }) => k.active)).toEqual([false, true]);
    expect(listed[0].revokedAt).toBe(revoked.body.revokedAt);
  });

  it('refuses a third active key with 409 too_many_keys and stores nothing; after a revocation, issues again', async () => {
    const merchant = await createTestMerchant(stack.prisma);
    expect((await issue(merchant.id)).status).toBe(201);
    const refused = await issue(merchant.id);
    expect(refused).toMatchObject({
      status: 409,
      body: { error: 'too_many_keys', message: expect.stringContaining('2 active keys') },
    });
    expect(refused.body).not.toHaveProperty('apiKey');
    expect(await stack.prisma.merchantApiKey.count({ where: { merchantId: merchant.id } })).toBe(2);

    expect((await revoke(merchant.id, await firstKeyId(merchant))).status).toBe(200);
    expect((await issue(merchant.id)).status).toBe(201);
    expect(await activeKeys(merchant.id)).toBe(2);
    expect(await stack.prisma.merchantApiKey.count({ where: { merchantId: merchant.id } })).toBe(3);
  });

  it('lets exactly one of 5 concurrent issues through, on two replicas, for a merchant with one key', async () => {
    const merchant = await createTestMerchant(stack.prisma);
    const answers = await Promise.all(
      [0, 1, 2, 3, 4].map((i) => issue(merchant.id, i % 2 === 0 ? stack.apiUrl : replicaUrl)),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409]);
    expect(await activeKeys(merchant.id)).toBe(2);
    expect(await stack.prisma.merchantApiKey.count({ where: { merchantId: merchant.id } })).toBe(2);
    const winner = answers.find((a) => a.status === 201)?.body.apiKey as string;
    expect(await balanceStatus(winner)).toBe(200);
  });

  it("refuses to revoke a merchant's last active key with 409 last_active_key; the key goes on working", async () => {
    const merchant = await createTestMerchant(stack.prisma);
    const keyId = await firstKeyId(merchant);
    expect(await revoke(merchant.id, keyId)).toMatchObject({
      status: 409,
      body: { error: 'last_active_key', message: expect.stringContaining('issue its replacement first') },
    });
    expect(await balanceStatus(merchant.apiKey)).toBe(200);
    expect(await activeKeys(merchant.id)).toBe(1);
  });

  it('answers 404 for an unknown merchant or key, and for a key of another merchant (which stays active)', async () => {
    const [merchant, other] = [await createTestMerchant(stack.prisma), await createTestMerchant(stack.prisma)];
    expect((await issue(other.id)).status).toBe(201);
    const othersKeyId = await firstKeyId(other);
    for (const answer of [
      await issue(UNKNOWN_ID),
      await call(keysOf(UNKNOWN_ID)),
      await revoke(UNKNOWN_ID, othersKeyId),
    ])
      expect(answer).toMatchObject({ status: 404, body: { error: 'merchant_not_found' } });
    expect(await revoke(merchant.id, UNKNOWN_ID)).toMatchObject({ status: 404, body: { error: 'key_not_found' } });
    expect(await revoke(merchant.id, othersKeyId)).toMatchObject({ status: 404, body: { error: 'key_not_found' } });
    expect(await balanceStatus(other.apiKey)).toBe(200);
    expect(await activeKeys(other.id)).toBe(2);
  });

  it('a merchant created over the API lists its first key by the id the creation answered', async () => {
    const created = await fetch(`${stack.apiUrl}/admin/merchants`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Rotating shop', rates: { CMCC: 1, CUCC: 1, CTCC: 1 } }),
    });
    expect(created.status).toBe(201);
    const { merchantId, keyId, apiKey } = await untypedJson(created);
    expect((await call(keysOf(merchantId as string))).body.keys).toEqual([
      expect.objectContaining({ keyId, active: true }),
    ]);
    expect(await balanceStatus(apiKey as string)).toBe(200);
  });

  it("records a key's use at most once a minute: lookups within the minute write nothing", async () => {
    const merchant = await createTestMerchant(stack.prisma);
    const hash = hashApiKey(merchant.apiKey);
    const lastUsed = async () =>
      (await stack.prisma.merchantApiKey.findUniqueOrThrow({ where: { keyHash: hash } })).lastUsedAt;
    expect(await lastUsed()).toBeNull();
    expect(await stack.merchants.findByApiKeyHash(hash)).toMatchObject({ id: merchant.id });
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    await stack.merchants.findByApiKeyHash(hash);
    await stack.merchants.findByApiKeyHash(hash);
    expect(await lastUsed()).toEqual(first);
    // A minute later, the next lookup records it again.
    const aMinuteAgo = new Date((first as Date).getTime() - 61_000);
    await stack.prisma.merchantApiKey.update({ where: { keyHash: hash }, data: { lastUsedAt: aMinuteAgo } });
    await stack.merchants.findByApiKeyHash(hash);
    expect((await lastUsed())?.getTime()).toBeGreaterThan(aMinuteAgo.getTime());
  });
});

describe('the upgrade to keys in their own table', () => {
  it("moves every merchant's key over, so that it goes on working; the placeholder of orders before merchants moves not", async () => {
    const old = await createTemporaryDatabase(testDatabaseUrl(), 'recharge_keys_upgrade');
    try {
      await applyMigrations(old.url, { upTo: '20261205140000_merchant_rate_limits' });
      const apiKey = newApiKey();
      const client = new pg.Client({ connectionString: old.url });
      await client.connect();
      await client.query(
        `INSERT INTO merchants (id, name, api_key_hash, callback_secret, created_at) VALUES
           ('m-1', 'Shop', $1, 'secret', '2026-12-01T00:00:00Z'),
           ('legacy', 'Orders placed before merchant accounts', 'none: no key can match', 'secret', now())`,
        [hashApiKey(apiKey)],
      );
      await client.query(
        `INSERT INTO merchant_rates (merchant_id, carrier, rate) VALUES ('m-1', 'CMCC', 0.985), ('m-1', 'CUCC', 1), ('m-1', 'CTCC', 1)`,
      );
      await client.end();
      expect(await applyMigrations(old.url)).toContain('20261205170000_merchant_api_keys');
      const upgraded = createPrisma(old.url);
      try {
        const merchants = createMerchantRepository(upgraded);
        expect(await merchants.findByApiKeyHash(hashApiKey(apiKey))).toEqual({
          id: 'm-1',
          name: 'Shop',
          rates: { CMCC: '0.985', CUCC: '1', CTCC: '1' },
          limits: { submitPerSecond: null, readPerSecond: null },
        });
        expect(await merchants.listKeys('m-1')).toEqual([
          expect.objectContaining({ createdAt: new Date('2026-12-01T00:00:00Z'), revokedAt: null }),
        ]);
        expect(await merchants.listKeys('legacy')).toEqual([]);
        expect(await merchants.findByApiKeyHash('none: no key can match')).toBeNull();
        // A process of the previous build, still running during the rollout, creates a merchant as it did: its key works here too.
        const lateKey = newApiKey();
        await upgraded.$executeRaw`INSERT INTO merchants (id, name, api_key_hash, callback_secret) VALUES ('m-2', 'Late', ${hashApiKey(lateKey)}, 'secret')`;
        expect(await merchants.findByApiKeyHash(hashApiKey(lateKey))).toMatchObject({ id: 'm-2' });
        // This build's merchants: one key row each, and their first key in the old column until it is revoked.
        const firstHash = hashApiKey(newApiKey());
        const rates = { CMCC: '1', CUCC: '1', CTCC: '1' };
        const { keyId } = await merchants.create({
          id: 'm-3',
          name: 'New',
          apiKeyHash: firstHash,
          callbackSecret: 's',
          rates,
        });
        expect((await merchants.listKeys('m-3'))?.map((key) => key.id)).toEqual([keyId]);
        const oldColumn = async () => (await upgraded.merchant.findUniqueOrThrow({ where: { id: 'm-3' } })).apiKeyHash;
        expect(await oldColumn()).toBe(firstHash);
        expect((await merchants.issueKey('m-3', hashApiKey(newApiKey()), 'test')).outcome).toBe('issued');
        expect((await merchants.revokeKey('m-3', keyId, 'test')).outcome).toBe('revoked');
        expect(await oldColumn()).toBeNull();
      } finally {
        await upgraded.$disconnect();
      }
    } finally {
      await old.drop();
    }
  });
});
