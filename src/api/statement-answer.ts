import type { Context } from 'hono';
import { z } from 'zod';
import type { StatementResult } from '../statements/statement-service.ts';
import { isCalendarDay } from '../shared/calendar-days.ts';
import { statementCsv } from '../statements/statement.ts';
import { merchantNotFound, problem } from './errors.ts';

/** The local day of a statement, in the merchant's time zone. */
export const statementDateParam = z.object({
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date, YYYY-MM-DD')
    .refine(isCalendarDay, 'must be a real date from 1970 on'),
});

export const statementQuery = z
  .strictObject({
    /** true: the day so far, if it is not over (never stored); a closed day's statement is the same either way. */
    partial: z.enum(['true', 'false']).optional(),
  })
  .meta({
    description:
      'Answered as text/csv, or as JSON with `Accept: application/json`. A day not over in the merchant’s time zone is 409 `day_not_closed` unless `partial=true`; a day not begun is 409 `day_not_started`.',
  });

/** Whether the caller asked for JSON (`Accept: application/json`); CSV otherwise. */
const wantsJson = (c: Context) => (c.req.header('accept') ?? '').toLowerCase().includes('application/json');

/** A statement as CSV (by default) or JSON, or why there is none. */
export function statementAnswer(c: Context, merchantId: string, date: string, result: StatementResult) {
  switch (result.kind) {
    case 'no-merchant':
      return merchantNotFound(c, merchantId);
    case 'day-not-started':
      return problem(c, 409, 'day_not_started', `${date} has not begun in the merchant's time zone`);
    case 'day-not-closed':
      return problem(
        c,
        409,
        'day_not_closed',
        `${date} is not over in the merchant's time zone until ${result.closesAt.toISOString()}: ask with partial=true for the day so far`,
      );
    default:
      if (wantsJson(c)) return c.json(result.statement);
      return c.body(statementCsv(result.statement), 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="statement-${merchantId}-${date}.csv"`,
      });
  }
}
