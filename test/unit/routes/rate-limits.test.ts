import { describe, expect, it } from 'vitest';
import { AS_MERCHANT, MERCHANT, fakeApp } from './fake-app.ts';

/** A merchant whose balance reads, so every request gets past the route to the limits in front of it. */
const withBalance = { balance: async () => ({ balanceFen: 100n, creditLimitFen: 0n, availableFen: 100n }) };

describe('merchant rate limits', () => {
  it('answers 429 with Retry-After once a merchant is over its rate', async () => {
    const api = fakeApp({}, { merchantPerSecond: 1, merchantReadsPerSecond: 3, failedKeysPerMinute: 100 }, withBalance);
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await api.request('/balance', { headers: AS_MERCHANT }));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 429]);
    expect(answers[3]?.headers.get('retry-after')).toBe('1');
    expect(answers[3]?.body).toMatchObject({
      error: 'rate_limited',
      message: 'At most 3 reads per second for this merchant',
    });
  });

  it("counts submissions apart from reads, each at the merchant's own limit where it has one", async () => {
    const api = fakeApp(
      {},
      { merchantPerSecond: 1, merchantReadsPerSecond: 1, failedKeysPerMinute: 100 },
      {
        ...withBalance,
        findByApiKeyHash: async () => ({ ...MERCHANT, limits: { submitPerSecond: null, readPerSecond: 2 } }),
      },
    );
    const read = () => api.request('/balance', { headers: AS_MERCHANT });
    const submit = () => api.request('/orders', { method: 'POST', headers: AS_MERCHANT, body: {} });
    expect([(await read()).status, (await read()).status, (await read()).status]).toEqual([200, 200, 429]);
    // The reads are spent; a submission is not refused for them (400: the empty body, past the limit).
    expect((await submit()).status).toBe(400);
    expect(await submit()).toMatchObject({
      status: 429,
      body: { message: 'At most 1 order submissions per second for this merchant' },
    });
  });

  it('refuses an address for a minute after too many unknown API keys, even with a valid key then; other addresses go on', async () => {
    const api = fakeApp(
      {},
      { merchantPerSecond: 100, failedKeysPerMinute: 3, clientAddressHeader: 'x-forwarded-for' },
      withBalance,
    );
    const from = (address: string, authorization: string) =>
      api.request('/balance', { headers: { authorization, 'x-forwarded-for': `${address}, 10.0.0.1` } });
    const guesses = [];
    for (let i = 0; i < 3; i++) guesses.push((await from('203.0.113.7', `Bearer guess-${i}`)).status);
    expect(guesses).toEqual([401, 401, 401]);
    const blocked = await from('203.0.113.7', AS_MERCHANT.authorization);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(50);
    expect(blocked.body).toMatchObject({
      error: 'rate_limited',
      message: 'Too many requests with unknown API keys from this address',
    });
    expect((await from('203.0.113.8', AS_MERCHANT.authorization)).status).toBe(200);
  });
});
