import { describe, expect, it } from 'vitest';
import type { ApiKeyRow } from '../../../src/db/merchant-key-repository.ts';
import type { MerchantRepository } from '../../../src/db/merchant-repository.ts';
import { ADMIN, AS_MERCHANT, MERCHANT, fakeApp } from './fake-app.ts';

const MERCHANT_ID = '0d9c8a52-4c1e-4f3a-9b7e-2a6f1c3d5e7f';
const KEY_ID = '6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const keys = `/admin/merchants/${MERCHANT_ID}/keys`;
const key: ApiKeyRow = {
  id: KEY_ID,
  merchantId: MERCHANT_ID,
  createdAt: new Date('2026-12-05T10:00:00.000Z'),
  lastUsedAt: null,
  revokedAt: null,
  createdBy: 'ada',
  revokedBy: null,
};

const withKeys = (methods: Partial<MerchantRepository>) => fakeApp({}, undefined, methods);

describe('admin routes of merchant keys', () => {
  it('issues a key shown once, with its id; refuses a third active key with 409 too_many_keys; 404 for an unknown merchant', async () => {
    const hashes: string[] = [];
    const outcomes = ['issued', 'too-many-keys', 'no-merchant'] as const;
    const api = withKeys({
      issueKey: async (_merchantId: string, keyHash: string) => {
        hashes.push(keyHash);
        const outcome = outcomes[hashes.length - 1] ?? 'no-merchant';
        return outcome === 'issued' ? { outcome, key } : { outcome };
      },
    });
    const issued = await api.request(keys, { method: 'POST', headers: ADMIN });
    expect(issued).toMatchObject({
      status: 201,
      body: { merchantId: MERCHANT_ID, keyId: KEY_ID, apiKey: expect.stringMatching(/^rk_/), active: true },
    });
    expect(hashes[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(hashes[0]).not.toBe(issued.body.apiKey);
    expect(await api.request(keys, { method: 'POST', headers: ADMIN })).toMatchObject({
      status: 409,
      body: { error: 'too_many_keys', message: expect.stringContaining('2 active keys') },
    });
    expect(await api.request(keys, { method: 'POST', headers: ADMIN })).toMatchObject({
      status: 404,
      body: { error: 'merchant_not_found' },
    });
  });

  it('lists keys without the key or its hash', async () => {
    const api = withKeys({
      listKeys: async (merchantId: string) =>
        merchantId === MERCHANT_ID
          ? [key, { ...key, revokedAt: new Date('2026-12-05T11:00:00.000Z'), revokedBy: 'ada' }]
          : undefined,
    });
    const { status, body } = await api.request(keys, { headers: ADMIN });
    expect(status).toBe(200);
    expect(body).toEqual({
      merchantId: MERCHANT_ID,
      maxActiveKeys: 2,
      keys: [
        {
          keyId: KEY_ID,
          createdAt: '2026-12-05T10:00:00.000Z',
          lastUsedAt: null,
          revokedAt: null,
          active: true,
          createdBy: 'ada',
          revokedBy: null,
        },
        {
          keyId: KEY_ID,
          createdAt: '2026-12-05T10:00:00.000Z',
          lastUsedAt: null,
          revokedAt: '2026-12-05T11:00:00.000Z',
          active: false,
          createdBy: 'ada',
          revokedBy: 'ada',
        },
      ],
    });
    const other = keys.replace(MERCHANT_ID, '11111111-2222-4333-8444-555555555555');
    expect((await api.request(other, { headers: ADMIN })).status).toBe(404);
  });

  it('answers each revocation outcome: 200, 404 for an unknown key or merchant, 409 for the last active key', async () => {
    const answers = {
      revoked: { outcome: 'revoked', key: { ...key, revokedAt: new Date() } },
      'no-key': { outcome: 'no-key' },
      'no-merchant': { outcome: 'no-merchant' },
      'last-active-key': { outcome: 'last-active-key' },
    } as const;
    for (const [outcome, status, error] of [
      ['revoked', 200, undefined],
      ['no-key', 404, 'key_not_found'],
      ['no-merchant', 404, 'merchant_not_found'],
      ['last-active-key', 409, 'last_active_key'],
    ] as const) {
      const api = withKeys({ revokeKey: async () => answers[outcome] });
      const answer = await api.request(`${keys}/${KEY_ID}`, { method: 'DELETE', headers: ADMIN });
      expect(answer.status, outcome).toBe(status);
      if (error) expect(answer.body, outcome).toMatchObject({ error });
      else expect(answer.body).toMatchObject({ keyId: KEY_ID, active: false, revokedAt: expect.any(String) });
    }
  });

  it('refuses a malformed key or merchant id with 400 before any lookup', async () => {
    const api = withKeys({});
    for (const path of [`${keys}/not-a-uuid`, `${keys}/${KEY_ID}x`, `/admin/merchants/nope/keys/${KEY_ID}`]) {
      expect(await api.request(path, { method: 'DELETE', headers: ADMIN }), path).toMatchObject({
        status: 400,
        body: { error: 'invalid_request' },
      });
    }
    // A merchant's key is no admin credential.
    expect([401, 403]).toContain((await api.request(keys, { method: 'POST', headers: AS_MERCHANT })).status);
  });

  it('forgets the merchants it cached once it revokes a key, so this process refuses the key at once', async () => {
    let lookups = 0;
    const api = withKeys({
      findByApiKeyHash: async () => {
        lookups++;
        return MERCHANT;
      },
      balance: async () => ({ balanceFen: 100n, creditLimitFen: 0n, availableFen: 100n }),
      revokeKey: async () => ({ outcome: 'revoked', key: { ...key, revokedAt: new Date() } }),
    });
    await api.request('/balance', { headers: AS_MERCHANT });
    await api.request('/balance', { headers: AS_MERCHANT });
    expect(lookups).toBe(1);
    expect((await api.request(`${keys}/${KEY_ID}`, { method: 'DELETE', headers: ADMIN })).status).toBe(200);
    await api.request('/balance', { headers: AS_MERCHANT });
    expect(lookups).toBe(2);
  });
});
