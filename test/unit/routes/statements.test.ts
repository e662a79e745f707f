import { describe, expect, it, vi } from 'vitest';
import type { StatementService } from '../../../src/statements/statement-service.ts';
import type { Statement } from '../../../src/statements/statement.ts';
import { AS, AS_MERCHANT, MERCHANT, fakeApp } from './fake-app.ts';

const MERCHANT_ID = '0b7e3c1a-2f4d-4c5e-8a9b-112233445566';
const statement: Statement = {
  merchantId: MERCHANT.id,
  date: '2026-12-04',
  timeZone: 'Asia/Shanghai',
  openingBalanceFen: 1_000,
  closingBalanceFen: -4_000,
  status: 'issued',
  issuedAt: '2026-12-04T16:05:00.000Z',
  lines: [
    {
      time: '2026-12-04T10:00:00.000+08:00',
      entryId: '12',
      type: 'ORDER_DEBIT',
      orderId: 'o-1',
      merchantOrderNo: 'M-1',
      amountFen: -5_000,
      balanceAfterFen: -4_000,
    },
  ],
};

function statementApp(statementOf: StatementService['statementOf']) {
  return fakeApp({}, undefined, {}, {}, {}, { statementOf });
}

describe('statements', () => {
  it("answers the merchant's own statement as CSV, or as JSON on request", async () => {
    const statementOf = vi.fn<StatementService['statementOf']>(async () => ({ kind: 'statement', statement }));
    const { app, request } = statementApp(statementOf);
    const csv = await app.request('/statements/2026-12-04', { headers: AS_MERCHANT });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(await csv.text()).toContain('\r\n2026-12-04T10:00:00.000+08:00,12,ORDER_DEBIT,o-1,M-1,-5000,-4000\r\n');
    expect(
      await request('/statements/2026-12-04', { headers: { ...AS_MERCHANT, accept: 'application/json' } }),
    ).toMatchObject({ status: 200, body: statement });
    expect(statementOf).toHaveBeenCalledWith(MERCHANT.id, '2026-12-04', { partial: false });
    await app.request('/statements/2026-12-05?partial=true', { headers: AS_MERCHANT });
    expect(statementOf).toHaveBeenLastCalledWith(MERCHANT.id, '2026-12-05', { partial: true });
  });

  it('refuses what is not a date before asking, and says why a day has no statement yet', async () => {
    const closesAt = new Date('2026-12-05T16:00:00.000Z');
    const statementOf = vi.fn<StatementService['statementOf']>(async (_id, date) =>
      date === '2026-12-05' ? { kind: 'day-not-closed', closesAt } : { kind: 'day-not-started' },
    );
    const { request } = statementApp(statementOf);
    for (const date of ['2026-02-30', '2026-12-5', 'today'])
      expect((await request(`/statements/${date}`, { headers: AS_MERCHANT })).status).toBe(400);
    expect(statementOf).not.toHaveBeenCalled();
    expect(await request('/statements/2026-12-05', { headers: AS_MERCHANT })).toMatchObject({
      status: 409,
      body: { error: 'day_not_closed' },
    });
    expect(await request('/statements/2026-12-06', { headers: AS_MERCHANT })).toMatchObject({
      status: 409,
      body: { error: 'day_not_started' },
    });
    expect((await request('/statements/2026-12-04')).status).toBe(401);
  });

  it("lets any operator read a merchant's statement; an unknown merchant is 404", async () => {
    const statementOf = vi.fn<StatementService['statementOf']>(async (id) =>
      id === MERCHANT_ID ? { kind: 'statement', statement } : { kind: 'no-merchant' },
    );
    const { request } = statementApp(statementOf);
    expect(
      await request(`/admin/merchants/${MERCHANT_ID}/statements/2026-12-04`, {
        headers: { ...AS.viewer, accept: 'application/json' },
      }),
    ).toMatchObject({ status: 200, body: statement });
    expect(
      await request(`/admin/merchants/${MERCHANT_ID.replace('0b', '1b')}/statements/2026-12-04`, {
        headers: { ...AS.viewer, accept: 'application/json' },
      }),
    ).toMatchObject({ status: 404, body: { error: 'merchant_not_found' } });
  });
});
