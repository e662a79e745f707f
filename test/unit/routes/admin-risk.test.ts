import { describe, expect, it } from 'vitest';
import type { BlockedCursor, BlockedNumberEntry, RiskRepository } from '../../../src/db/risk-repository.ts';
import { AS, fakeApp } from './fake-app.ts';

const PHONE = '13812345678';
const at = new Date('2026-12-05T10:00:00.000Z');
const entry = (fields: Partial<BlockedNumberEntry> = {}): BlockedNumberEntry => ({
  phone: PHONE,
  reason: 'fraud: stolen SIM',
  blockedBy: 'alice',
  createdAt: at,
  ...fields,
});
const limits = { perNumberDailyOrders: 10, perNumberDailyAmountYuan: 1000, updatedBy: null, updatedAt: at };

const withRisk = (methods: Partial<RiskRepository>) => fakeApp({}, undefined, {}, methods);

describe('admin routes of blocked numbers', () => {
  it('blocks a number as the token’s operator; a number blocked already is a 409 naming who blocked it and why', async () => {
    const given: unknown[] = [];
    const api = withRisk({
      block: async (input) => {
        given.push(input);
        return given.length === 1
          ? { created: true, entry: entry({ ...input, createdAt: at }) }
          : { created: false, entry: entry({ blockedBy: 'bob', reason: 'carrier complaint' }) };
      },
    });
    const body = { phone: PHONE, reason: '  fraud: stolen SIM  ' };
    expect(await api.request('/admin/blocked-numbers', { method: 'POST', headers: AS.operator, body })).toEqual(
      expect.objectContaining({
        status: 201,
        body: { phone: PHONE, reason: 'fraud: stolen SIM', blockedBy: 'alice', createdAt: at.toISOString() },
      }),
    );
    expect(given).toEqual([{ phone: PHONE, reason: 'fraud: stolen SIM', blockedBy: 'alice' }]);
    expect(await api.request('/admin/blocked-numbers', { method: 'POST', headers: AS.admin, body })).toMatchObject({
      status: 409,
      body: {
        error: 'number_already_blocked',
        message: `${PHONE} was blocked by bob at ${at.toISOString()}: carrier complaint`,
      },
    });
  });

  it('refuses a malformed number or reason, and a viewer, before any lookup', async () => {
    const api = withRisk({});
    for (const body of [
      { phone: '1381234567', reason: 'x' },
      { phone: '12812345678', reason: 'x' },
      { phone: '+8613812345678', reason: 'x' },
      { phone: 13812345678, reason: 'x' },
      { phone: PHONE, reason: '   ' },
      { phone: PHONE, reason: 'x'.repeat(501) },
      { phone: PHONE },
      { phone: PHONE, reason: 'x', operator: 'mallory' },
    ]) {
      const answer = await api.request('/admin/blocked-numbers', { method: 'POST', headers: AS.admin, body });
      expect(answer, JSON.stringify(body)).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    }
    const asViewer = { method: 'POST', headers: AS.viewer, body: { phone: PHONE, reason: 'x' } };
    expect(await api.request('/admin/blocked-numbers', asViewer)).toMatchObject({
      status: 403,
      body: { error: 'role_forbidden', message: expect.stringContaining('needs the operator role') },
    });
  });

  it('lists newest first a page at a time; nextBefore, given back as before, names where the page ended', async () => {
    const asked: { limit: number; before?: BlockedCursor | undefined }[] = [];
    const page = [entry({ phone: '13900000002' }), entry({ phone: '13900000001' })];
    const api = withRisk({
      listBlocked: async (query) => {
        asked.push(query);
        return query.before ? page.slice(1) : page;
      },
    });
    const first = await api.request('/admin/blocked-numbers?limit=2', { headers: AS.viewer });
    expect(first).toMatchObject({ status: 200, body: { nextBefore: `${at.getTime()}-13900000001` } });
    expect(first.body.blockedNumbers).toEqual(page.map((e) => ({ ...e, createdAt: at.toISOString() })));
    const second = await api.request(`/admin/blocked-numbers?limit=2&before=${first.body.nextBefore}`, {
      headers: AS.viewer,
    });
    expect(second).toMatchObject({ status: 200, body: { nextBefore: null } });
    expect(asked).toEqual([{ limit: 2 }, { limit: 2, before: { createdAt: at, phone: '13900000001' } }]);
    expect(await api.request('/admin/blocked-numbers', { headers: AS.viewer })).toMatchObject({ status: 200 });
    expect(asked.at(-1)).toEqual({ limit: 50 });
    for (const query of [
      'limit=0',
      'limit=501',
      'before=13900000001',
      'before=1-2',
      'before=12345678901234-13900000001',
    ])
      expect(await api.request(`/admin/blocked-numbers?${query}`, { headers: AS.viewer }), query).toMatchObject({
        status: 400,
      });
  });

  it('unblocks: 204, or 404 number_not_blocked; a malformed number is a 400, a viewer a 403', async () => {
    const unblocked: string[] = [];
    const api = withRisk({
      unblock: async (phone) => {
        unblocked.push(phone);
        return unblocked.length === 1;
      },
    });
    const path = `/admin/blocked-numbers/${PHONE}`;
    const done = await api.request(path, { method: 'DELETE', headers: AS.operator });
    expect(done).toMatchObject({ status: 204, body: undefined });
    expect(await api.request(path, { method: 'DELETE', headers: AS.operator })).toMatchObject({
      status: 404,
      body: { error: 'number_not_blocked', message: `${PHONE} is not blocked` },
    });
    expect(unblocked).toEqual([PHONE, PHONE]);
    expect(
      await api.request('/admin/blocked-numbers/1381234567', { method: 'DELETE', headers: AS.operator }),
    ).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(await api.request(path, { method: 'DELETE', headers: AS.viewer })).toMatchObject({ status: 403 });
  });
});

describe('admin routes of the per-number limits', () => {
  it('reads them; an admin changes them as themself, and gets the new limits', async () => {
    const changes: unknown[] = [];
    const api = withRisk({
      limits: async () => limits,
      setLimits: async (change, operator) => {
        changes.push([change, operator]);
        return { ...limits, ...change, updatedBy: operator, updatedAt: at };
      },
    });
    expect(await api.request('/admin/risk-limits', { headers: AS.viewer })).toMatchObject({
      status: 200,
      body: { ...limits, updatedAt: at.toISOString() },
    });
    const answer = await api.request('/admin/risk-limits', {
      method: 'PATCH',
      headers: AS.admin,
      body: { perNumberDailyOrders: 20 },
    });
    expect(answer).toMatchObject({
      status: 200,
      body: { perNumberDailyOrders: 20, perNumberDailyAmountYuan: 1000, updatedBy: 'ada' },
    });
    expect(changes).toEqual([[{ perNumberDailyOrders: 20 }, 'ada']]);
  });

  it('refuses an empty change, a limit out of bounds or not whole, and an operator', async () => {
    const api = withRisk({});
    for (const body of [
      {},
      { perNumberDailyOrders: 0 },
      { perNumberDailyOrders: 10_001 },
      { perNumberDailyOrders: 1.5 },
      { perNumberDailyAmountYuan: 10_000_001 },
      { perNumberDailyAmountYuan: '1000' },
      { perNumberDailyOrders: null },
      { perNumberDailyOrders: 5, updatedBy: 'mallory' },
    ]) {
      const answer = await api.request('/admin/risk-limits', { method: 'PATCH', headers: AS.admin, body });
      expect(answer, JSON.stringify(body)).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    }
    const asOperator = { method: 'PATCH', headers: AS.operator, body: { perNumberDailyOrders: 20 } };
    expect(await api.request('/admin/risk-limits', asOperator)).toMatchObject({
      status: 403,
      body: { error: 'role_forbidden', message: expect.stringContaining('needs the admin role') },
    });
  });
});
