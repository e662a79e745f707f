import { describe, expect, it } from 'vitest';
import { addDays, isCalendarDay } from '../../../src/shared/calendar-days.ts';
import {
  canonicalTimeZone,
  endOfLocalDay,
  isoInZone,
  localDateOf,
  startOfLocalDay,
} from '../../../src/statements/local-day.ts';
import { crossedMerchantLowBalance } from '../../../src/merchants/low-balance-alert.ts';
import { statementCsv } from '../../../src/statements/statement.ts';

describe('local days', () => {
  it("starts and ends a day at the zone's midnight, DST changes included", () => {
    expect(startOfLocalDay('Asia/Shanghai', '2026-12-05').toISOString()).toBe('2026-12-04T16:00:00.000Z');
    expect(endOfLocalDay('Asia/Shanghai', '2026-12-05').toISOString()).toBe('2026-12-05T16:00:00.000Z');
    // New York's 2026-03-08 has 23 hours; Havana's starts at 01:00 (its midnight is skipped).
    expect(
      endOfLocalDay('America/New_York', '2026-03-08').getTime() -
        startOfLocalDay('America/New_York', '2026-03-08').getTime(),
    ).toBe(23 * 3_600_000);
    expect(startOfLocalDay('America/Havana', '2026-03-08').toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(localDateOf('Asia/Shanghai', new Date('2026-12-05T15:59:59.999Z'))).toBe('2026-12-05');
    expect(localDateOf('Asia/Shanghai', new Date('2026-12-05T16:00:00.000Z'))).toBe('2026-12-06');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
  });

  it("writes instants with the zone's offset", () => {
    expect(isoInZone('Asia/Shanghai', new Date('2026-12-05T15:59:59.123Z'))).toBe('2026-12-05T23:59:59.123+08:00');
    expect(isoInZone('America/New_York', new Date('2026-07-01T12:00:00Z'))).toBe('2026-07-01T08:00:00.000-04:00');
    expect(isoInZone('Asia/Kolkata', new Date('2026-07-01T12:00:00Z'))).toBe('2026-07-01T17:30:00.000+05:30');
  });

  it('takes IANA zones by their canonical name and real dates only', () => {
    expect(canonicalTimeZone('asia/shanghai')).toBe('Asia/Shanghai');
    expect(canonicalTimeZone('UTC')).toBe('UTC');
    for (const name of ['+08:00', 'Mars/Olympus_Mons', '', 'Asia/../etc'])
      expect(canonicalTimeZone(name)).toBeUndefined();
    expect(isCalendarDay('2024-02-29')).toBe(true);
    for (const date of ['2026-02-29', '2026-13-01', '1969-12-31', '2026-1-1']) expect(isCalendarDay(date)).toBe(false);
  });
});

describe('statements as CSV', () => {
  it('writes the header as # lines, then one row per line, quoting what needs it', () => {
    const csv = statementCsv({
      merchantId: 'm-1',
      date: '2026-12-05',
      timeZone: 'Asia/Shanghai',
      openingBalanceFen: -100,
      closingBalanceFen: -5100,
      status: 'issued',
      issuedAt: '2026-12-05T16:05:00.000Z',
      lines: [
        {
          time: '2026-12-05T10:00:00.000+08:00',
          entryId: '7',
          type: 'ORDER_DEBIT',
          orderId: 'o-1',
          merchantOrderNo: 'a,"b"',
          amountFen: -5000,
          balanceAfterFen: -5100,
        },
      ],
    });
    expect(csv.split('\r\n')).toEqual([
      '# merchant_id,m-1',
      '# date,2026-12-05',
      '# time_zone,Asia/Shanghai',
      '# opening_balance_fen,-100',
      '# closing_balance_fen,-5100',
      '# status,issued',
      '# issued_at,2026-12-05T16:05:00.000Z',
      'time,entry_id,type,order_id,merchant_order_no,amount_fen,balance_after_fen',
      '2026-12-05T10:00:00.000+08:00,7,ORDER_DEBIT,o-1,"a,""b""",-5000,-5100',
      '',
    ]);
  });
});

describe("merchants' low-balance alert", () => {
  const after = (balanceAfterFen: bigint, lowBalanceFen: bigint, creditLimitFen = 0n) => ({
    costFen: 5_000n,
    balanceAfterFen,
    creditLimitFen,
    lowBalanceFen,
  });
  it('is raised by the order that takes the available balance (with credit) below the threshold, only that one', () => {
    expect(crossedMerchantLowBalance(after(10_000n, 12_000n))).toBe(true);
    expect(crossedMerchantLowBalance(after(15_000n, 12_000n))).toBe(false);
    expect(crossedMerchantLowBalance(after(5_000n, 12_000n))).toBe(false);
    expect(crossedMerchantLowBalance(after(-3_000n, 12_000n, 10_000n))).toBe(true);
    expect(crossedMerchantLowBalance(after(0n, 0n))).toBe(false);
  });
});
