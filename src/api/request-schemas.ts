import { z } from 'zod';
import { DEMO_MERCHANT_ID } from '../merchants/demo-merchant.ts';
import { RATE_PATTERN } from '../merchants/pricing.ts';
import { PHONE_PATTERN } from '../shared/carriers.ts';
import { RECONCILIATION_SCHEDULE_ID, manualReconciliationId } from '../shared/reconciliation.ts';
import { documentAs } from './validate.ts';

/**
 * Path, query and body parts shared by several routes, checked before any
 * database or Temporal call: an id that cannot exist is a 400, not a lookup.
 * Each states its whole rule in the OpenAPI document (patterns, bounds,
 * multipleOf), so a request valid by the document is never refused as malformed.
 */

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

/** Orders get randomUUID() ids. */
export const orderIdParam = z.object({
  orderId: z.string().regex(new RegExp(`^${UUID}$`), 'must be an order id (a UUID)'),
});

/** An 11-digit mainland mobile number; whether its segment is known is the number-segment table's answer. */
export const phone = z.string().regex(PHONE_PATTERN, 'must be an 11-digit mainland mobile number');
export const phoneParam = z.object({ phone });

/** Suppliers get an id an admin chooses (`sim-a`): lower-case letters, digits and dashes; it names the supplier's task queue. */
export const SUPPLIER_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;
export const supplierIdParam = z.object({
  supplierId: z.string().regex(SUPPLIER_ID_PATTERN, 'must be 1-32 lower-case letters, digits or dashes'),
});

/** Merchants get randomUUID() ids; the development demo merchant is `demo`. */
export const merchantIdParam = z.object({
  merchantId: z
    .string()
    .regex(new RegExp(`^(?:${UUID}|${DEMO_MERCHANT_ID})$`), `must be a merchant id (a UUID, or ${DEMO_MERCHANT_ID})`),
});

/** A merchant's API key, by the id it was issued with (a UUID), under its merchant. */
export const merchantKeyIdParam = merchantIdParam.extend({
  keyId: z.string().regex(new RegExp(`^${UUID}$`), 'must be a key id (a UUID)'),
});

/** A run's id is its workflow's: reconciliation-<UUID> (on demand) or reconciliation-daily-<scheduled time, RFC 3339> (the Schedule's). */
export const runIdParam = z.object({
  runId: z
    .string()
    .regex(
      new RegExp(
        `^(?:${manualReconciliationId(UUID)}|${RECONCILIATION_SCHEDULE_ID}-\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?Z)$`,
      ),
      'must be a reconciliation run id',
    ),
});

/** An integer query parameter, written in plain digits (no sign, exponent, hex, blanks or fraction); documented as the integer it is. */
export const integerQuery = (min: number, max: number) =>
  integerText(min, max, { type: 'integer', minimum: min, maximum: max });

/** An integer query parameter that may be left out for `byDefault`. */
export const integerQueryOr = (byDefault: number, min: number, max: number) =>
  integerText(min, max, { type: 'integer', minimum: min, maximum: max, default: byDefault }).default(byDefault);

const integerText = (min: number, max: number, documented: Record<string, unknown>) =>
  documentAs(
    z
      .string()
      .regex(/^\d{1,10}$/, `must be a whole number from ${min} to ${max}`)
      .transform(Number)
      .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`)),
    documented,
  );

/** The query of a route that reads none: any key is refused by name, as on every other route. */
export const noQuery = z.strictObject({});

/**
 * A price as a fraction of face value (merchant rates, supplier cost rates),
 * with at most 6 decimal places (NUMERIC(7,6)); given as a JSON number, kept
 * as the exact decimal it is ("0.985"). Below 0.5 is no price a reseller
 * sells at, and near 0 an order would cost nothing. `multipleOf` is read as
 * JSON Schema means it, on the decimal: 0.9 is a multiple of 0.000001,
 * 0.5000000000000001 is not (zod's own multipleOf forgives float error both ways).
 */
export const rate = z
  .number()
  .min(0.5, 'must be at least 0.5')
  .max(2, 'must be at most 2')
  .refine((value) => RATE_PATTERN.test(String(value)), 'must have at most 6 decimal places')
  .meta({ multipleOf: 0.000001 })
  .transform(String);

const IPV4_PART = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const LABEL = '[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*';
/** A host name whose last label starts with a letter (WHATWG URL reads a numeric one as an IPv4 address), or an IPv4 address. */
const HOST = `(?:(?:${LABEL}\\.)*[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*|${IPV4_PART}(?:\\.${IPV4_PART}){3})`;
const PORT = '(?::(?:6553[0-5]|655[0-2]\\d|65[0-4]\\d{2}|6[0-4]\\d{3}|[1-5]\\d{4}|[1-9]\\d{0,3}))?';
const URL_CHARS = "[A-Za-z0-9._~!$&'()*+,;=:@%/-]";

/**
 * An http(s) URL the platform calls (a merchant's notifyUrl, a supplier's
 * base URL), written as the pattern says: every string it admits is a URL
 * (WHATWG) that Node can call, so the document promises nothing the API refuses.
 */
export const httpUrl = z
  .string()
  .max(2048)
  .regex(
    new RegExp(`^https?://${HOST}${PORT}(?:/${URL_CHARS}*)?(?:\\?${URL_CHARS.replace('[', '[?')}*)?$`),
    'must be an http(s) URL: scheme, host or IPv4 address, port, path and query',
  )
  .pipe(z.url({ protocol: /^https?$/ }));

/** An admin's idempotency key for money entries (top-ups, adjustments). */
export const adminRequestId = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1-64 letters, digits or "_.:-"');
