import { Hono } from 'hono';
import { z } from 'zod';
import type { ApiDeps } from '../deps.ts';
import { ACROSS_FIELDS, validate } from '../validate.ts';

const DAY_MS = 86_400_000;
/** In the years 2000-2999: a wider range would let an offset carry year 0000 to PostgreSQL, which has no year 0. */
const THIS_MILLENNIUM = /^2\d{3}-/;
/** A day (UTC) or an instant; `to` is exclusive. */
const instant = z.union([
  z.iso
    .date()
    .regex(THIS_MILLENNIUM, 'must be a day in 2000-2999')
    .transform((day) => new Date(`${day}T00:00:00Z`)),
  z.iso
    .datetime({ offset: true })
    .regex(THIS_MILLENNIUM, 'must be an instant in 2000-2999')
    .transform((at) => new Date(at)),
]);
const marginQuery = z
  .strictObject({ from: instant, to: instant })
  .refine(({ from, to }) => from < to, { message: 'must be after from', path: ['to'], ...ACROSS_FIELDS })
  .refine(({ from, to }) => to.getTime() - from.getTime() <= 366 * DAY_MS, {
    message: 'a report spans at most 366 days',
    path: ['to'],
    ...ACROSS_FIELDS,
  })
  .meta({ description: '`to` must be after `from`, and at most 366 days after it (422 otherwise).' });

/** Money reports for the platform's admins. */
export function adminReportRoutes({ supplierLedger }: Pick<ApiDeps, 'supplierLedger'>) {
  return new Hono().get('/margin', validate('query', marginQuery), async (c) => {
    const { from, to } = c.req.valid('query');
    const rows = await supplierLedger.marginReport(from, to);
    const sum = (field: 'orders' | 'revenueFen' | 'supplierCostFen' | 'marginFen') =>
      rows.reduce((total, row) => total + row[field], 0);
    return c.json({
      from,
      to,
      /** Per day (UTC), supplier, carrier, province and speed, of the orders that SUCCEEDED in the range: revenue is what merchants paid. */
      rows,
      totals: {
        orders: sum('orders'),
        revenueFen: sum('revenueFen'),
        supplierCostFen: sum('supplierCostFen'),
        marginFen: sum('marginFen'),
      },
    });
  });
}
