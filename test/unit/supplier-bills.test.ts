import { describe, expect, it } from 'vitest';
import { billOf } from '../../src/carrier-sim/bill.ts';
import type { RecordedOrder } from '../../src/carrier-sim/records.ts';
import { attemptsOfOrder } from '../../src/db/supplier-bill-repository.ts';
import { addDays, isCalendarDay } from '../../src/shared/calendar-days.ts';
import { formatBill, parseBill, type BillLine } from '../../src/shared/supplier-bill.ts';
import { compareBill, type OurAttempt } from '../../src/supplier-bills/compare.ts';

const ORDER = '5b0f4c3e-7a52-4b8e-9d3c-1f2e3a4b5c6d';
const line = (fields: Partial<BillLine> = {}): BillLine => ({
  requestId: `${ORDER}-1`,
  phone: '138****5678',
  faceValueYuan: 50,
  amountFen: 4850,
  status: 'SUCCESS',
  time: '2026-12-04T10:00:00.000Z',
  day: '2026-12-04',
  ...fields,
});
const ours = (fields: Partial<OurAttempt> = {}): OurAttempt => ({
  requestId: `${ORDER}-1`,
  orderId: ORDER,
  status: 'SUCCESS',
  amountFen: 4850,
  bookedAt: '2026-12-04T10:00:01.000Z',
  ...fields,
});
const compare = (lines: BillLine[], attempts: OurAttempt[], recorded: OurAttempt[] = [], adjacent: string[] = []) =>
  compareBill({
    lines,
    ours: new Map(attempts.map((a) => [a.requestId, a])),
    recorded,
    onAdjacentBills: new Set(adjacent),
  }).map((d) => [d.kind, d.requestId]);

describe('supplier bill comparison', () => {
  it('finds nothing when every line matches our attempt and every charge we booked is billed', () => {
    const failed = ours({ requestId: `${ORDER}-2`, status: 'FAILED', amountFen: 0 });
    expect(
      compare([line(), line({ requestId: `${ORDER}-2`, status: 'FAILED', amountFen: 0 })], [ours(), failed], [ours()]),
    ).toEqual([]);
  });

  it('names each kind: unknown_to_us, status_differs (before amount), amount_differs, not_billed', () => {
    expect(compare([line({ requestId: 'phantom-x' })], [])).toEqual([['unknown_to_us', 'phantom-x']]);
    expect(compare([line({ status: 'FAILED', amountFen: 0 })], [ours()])).toEqual([['status_differs', `${ORDER}-1`]]);
    expect(compare([line({ amountFen: 4851 })], [ours()])).toEqual([['amount_differs', `${ORDER}-1`]]);
    expect(compare([], [], [ours()])).toEqual([['not_billed', `${ORDER}-1`]]);
    // A reversal both sides know of charges 0 on both.
    expect(compare([line({ status: 'REVERSED', amountFen: 0 })], [ours({ status: 'REVERSED', amountFen: 0 })])).toEqual(
      [],
    );
    // Reversed by the supplier, not (yet) by us.
    expect(compare([line({ status: 'REVERSED', amountFen: 0 })], [ours()])).toEqual([['status_differs', `${ORDER}-1`]]);
  });

  it('takes a charge booked on one side of midnight and billed on the other as no difference', () => {
    // Booked 23:59:59.9 on the 4th, billed on the 5th: not on the 4th's bill, but on the adjacent one.
    const lateCharge = ours({ bookedAt: '2026-12-04T23:59:59.900Z' });
    expect(compare([], [], [lateCharge], [lateCharge.requestId])).toEqual([]);
    // The 5th's bill lists it, and it is compared there whatever day we booked it.
    expect(compare([line({ day: '2026-12-05', time: '2026-12-05T00:00:00.100Z' })], [lateCharge])).toEqual([]);
  });
});

describe('our side of an attempt', () => {
  const order = (fields: Partial<Parameters<typeof attemptsOfOrder>[1]> = {}) => ({
    orderId: ORDER,
    status: 'SUCCEEDED',
    supplierId: 'sim',
    costFen: 4850,
    bookedAt: new Date('2026-12-04T10:00:01Z'),
    requestIds: [`${ORDER}-1`],
    ...fields,
  });
  const statuses = (...args: Parameters<typeof attemptsOfOrder>) =>
    attemptsOfOrder(...args).map((a) => [a.requestId.slice(-2), a.status, a.amountFen]);

  it('stands as the order does for its last attempt at the supplier, and failed for every earlier one', () => {
    expect(statuses('sim', order({ requestIds: [`${ORDER}-3`, `${ORDER}-1`] }))).toEqual([
      ['-3', 'SUCCESS', 4850],
      ['-1', 'FAILED', 0],
    ]);
    expect(statuses('sim', order({ status: 'REVERSED' }))).toEqual([['-1', 'REVERSED', 0]]);
    expect(statuses('sim', order({ status: 'PROCESSING', supplierId: null, costFen: null, bookedAt: null }))).toEqual([
      ['-1', 'PENDING', 0],
    ]);
    // Another supplier took the order: every attempt here failed.
    expect(statuses('sim', order({ supplierId: 'sim-b' }))).toEqual([['-1', 'FAILED', 0]]);
  });
});

describe('the bill CSV', () => {
  it('reads back what the simulator writes, and says which line is wrong and why', () => {
    const lines = [line(), line({ requestId: `${ORDER}-2`, status: 'REVERSED', amountFen: 0 })];
    expect(parseBill(formatBill(lines))).toEqual({ lines });
    expect(parseBill(formatBill(lines).replaceAll('\n', '\r\n'))).toEqual({ lines });
    expect(parseBill('')).toEqual({ error: expect.stringContaining('line 1 must be the header') });
    const text = formatBill([line()]);
    expect(parseBill(text.replace('4850', '48.5'))).toEqual({
      error: 'line 2 amountFen must be a whole number of fen',
    });
    expect(parseBill(text.replace('SUCCESS', 'OK'))).toEqual({ error: expect.stringMatching(/^line 2 status/) });
    expect(parseBill(`${text}${text.split('\n')[1]}\n`)).toEqual({ error: expect.stringMatching(/^line 3 repeats/) });
    expect(parseBill(text.replace(',2026-12-04\n', '\n'))).toEqual({
      error: expect.stringMatching(/^line 2 has 6 fields/),
    });
  });

  it('knows real days', () => {
    expect(['2026-12-04', '2028-02-29'].every(isCalendarDay)).toBe(true);
    expect(['2026-02-30', '2026-13-01', '20261204', '2026-12-4'].some(isCalendarDay)).toBe(false);
    expect([addDays('2026-12-31', 1), addDays('2026-03-01', -1)]).toEqual(['2027-01-01', '2026-02-28']);
  });

  it('bills each request on the day it was decided, once, at its charge; FAILED and REVERSED at 0; PROCESSING not yet', () => {
    const order = (requestId: string, fields: Partial<RecordedOrder>): RecordedOrder => ({
      request: { requestId, phone: '13812345678', carrier: 'CMCC', amountYuan: 100, callbackUrl: 'http://x.invalid/' },
      carrierOrderId: 'C1',
      state: 'SUCCESS',
      repeats: 0,
      decidedAt: '2026-12-04T23:59:59.950Z',
      ...fields,
    });
    const books = [
      order('a-1', { chargeFen: 9700 }),
      order('b-1', {}), // books from before bills: priced at today's rate
      order('c-1', { state: 'FAILED' }),
      order('d-1', { state: 'REVERSED', chargeFen: 9700 }),
      order('e-1', { state: 'PROCESSING', decidedAt: undefined }),
      order('f-1', { decidedAt: '2026-12-05T00:00:00.000Z' }),
    ];
    expect(billOf(books, '2026-12-04', '0.95').map((l) => [l.requestId, l.status, l.amountFen, l.phone])).toEqual([
      ['a-1', 'SUCCESS', 9700, '138****5678'],
      ['b-1', 'SUCCESS', 9500, '138****5678'],
      ['c-1', 'FAILED', 0, '138****5678'],
      ['d-1', 'REVERSED', 0, '138****5678'],
    ]);
    expect(billOf(books, '2026-12-05', '0.95').map((l) => l.requestId)).toEqual(['f-1']);
  });
});
