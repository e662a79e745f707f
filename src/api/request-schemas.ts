import { z } from 'zod';
import { DEMO_MERCHANT_ID } from '../merchants/demo-merchant.ts';
import { RATE_PATTERN } from '../merchants/pricing.ts';
import { RECONCILIATION_SCHEDULE_ID, manualReconciliationId } from '../shared/reconciliation.ts';

/**
 * Path and query parts shared by several routes, checked before any database
 * or Temporal call: an id that cannot exist is a 400, not a lookup.
 */

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

/** Orders get randomUUID() ids. */
export const orderIdParam = z.object({ orderId: z.string().regex(new RegExp(`^${UUID}$`), 'must be an order id (a UUID)') });

/** Suppliers get an id an admin chooses (`sim-a`): lower-case letters, digits and dashes; it names the supplier's task queue. */
export const SUPPLIER_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;
export const supplierIdParam = z.object({ supplierId: z.string().regex(SUPPLIER_ID_PATTERN, 'must be 1-32 lower-case letters, digits or dashes') });

/** Merchants get randomUUID() ids; the development demo merchant is `demo`. */
export const merchantIdParam = z.object({
  merchantId: z.string().regex(new RegExp(`^(?:${UUID}|${DEMO_MERCHANT_ID})$`), `must be a merchant id (a UUID, or ${DEMO_MERCHANT_ID})`),
});

/** A run's id is its workflow's: reconciliation-<UUID> (on demand) or reconciliation-daily-<scheduled time, RFC 3339> (the Schedule's). */
export const runIdParam = z.object({
  runId: z
    .string()
    .regex(
      new RegExp(`^(?:${manualReconciliationId(UUID)}|${RECONCILIATION_SCHEDULE_ID}-\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?Z)$`),
      'must be a reconciliation run id',
    ),
});

/** An integer query parameter, written in plain digits (no sign, exponent, hex, blanks or fraction). */
export const integerQuery = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,10}$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

/** A price as a fraction of face value (merchant rates, supplier cost rates). Below 0.5 is no price a reseller sells at, and near 0 an order would cost nothing. */
export const rate = z
  .number()
  .min(0.5, 'must be at least 0.5')
  .max(2, 'must be at most 2')
  .refine((value) => RATE_PATTERN.test(String(value)), 'must have at most 6 decimal places');

/** An admin's idempotency key for money entries (top-ups, adjustments). */
export const adminRequestId = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1-64 letters, digits or "_.:-"');
