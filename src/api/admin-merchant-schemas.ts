import { z } from 'zod';
import { CARRIERS, type Carrier } from '../shared/carriers.ts';
import { TIME_ZONE_NAME, canonicalTimeZone } from '../statements/local-day.ts';
import { trimmedText } from '../util/storable-text.ts';
import { adminRequestId as requestId, integerQueryOr, rate } from './request-schemas.ts';

/** The admin merchant routes' requests: accounts, their settings, money entries and the ledger's pages. */
/** One admin entry moves at most 10,000,000 yuan. */
export const MAX_ENTRY_FEN = 1_000_000_000;

/** A price per carrier for fast orders; `slow`: per carrier, for slow orders (a carrier left out: no slow orders of it). */
export const merchantRates = z.strictObject({
  ...(Object.fromEntries(CARRIERS.map((carrier) => [carrier, rate])) as Record<Carrier, typeof rate>),
  slow: z
    .strictObject(
      Object.fromEntries(CARRIERS.map((carrier) => [carrier, rate.optional()])) as Record<
        Carrier,
        z.ZodOptional<typeof rate>
      >,
    )
    .optional(),
});
/** An IANA time zone, stored by its canonical name; its midnight ends the merchant's days (statements). */
export const timeZone = z
  .string()
  .max(64)
  .regex(TIME_ZONE_NAME, 'must be an IANA time zone, e.g. Asia/Shanghai')
  .refine((name) => canonicalTimeZone(name) !== undefined, 'must be an IANA time zone, e.g. Asia/Shanghai')
  .transform((name) => canonicalTimeZone(name) as string);
export const createBody = z
  .strictObject({ name: trimmedText(100), rates: merchantRates, timeZone: timeZone.optional() })
  .meta({
    description: '`timeZone` (an IANA name) ends the merchant’s days for its statements; Asia/Shanghai when absent.',
    examples: [
      { name: 'Acme Mobile', rates: { CMCC: 0.985, CUCC: 0.99, CTCC: 0.99, slow: { CMCC: 0.97, CUCC: 0.975 } } },
    ],
  });
/** Who posts the entry is the token's operator, not a field. */
export const entryBody = { note: trimmedText(500), requestId };
export const topUpBody = z
  .strictObject({ ...entryBody, amountFen: z.number().int().positive().max(MAX_ENTRY_FEN) })
  .meta({ examples: [{ amountFen: 1_000_000, requestId: 'bank-20261205-001', note: 'bank transfer 2026-12-05' }] });
export const adjustmentBody = z
  .strictObject({
    ...entryBody,
    amountFen: z
      .number()
      .int()
      .min(-MAX_ENTRY_FEN)
      .max(MAX_ENTRY_FEN)
      .refine((value) => value !== 0, 'must not be 0')
      .meta({ not: { const: 0 } }),
  })
  .meta({
    examples: [{ amountFen: -500, requestId: 'adj-20261205-001', note: 'fee for November' }],
  });
/** A merchant's own limit per second, or null for the deployment's default. */
export const limit = z.number().int().min(1).max(100_000).nullable();
export const changeBody = z
  .strictObject({
    submitRateLimitPerSecond: limit,
    readRateLimitPerSecond: limit,
    rates: merchantRates,
    /** How far below zero the balance may go (授信), in fen; 0: none. */
    creditLimitFen: z.number().int().min(0).max(MAX_ENTRY_FEN),
    timeZone,
    /** An order taking the available balance below this raises an alert, in fen; 0: off. */
    lowBalanceFen: z.number().int().min(0).max(MAX_ENTRY_FEN),
  })
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'nothing to change')
  .meta({
    minProperties: 1,
    description:
      '`rates` replaces every rate of the merchant (fast and slow). A `creditLimitFen` below the credit in use (minus a negative balance) is refused with 409 `credit_in_use`.',
    examples: [
      { readRateLimitPerSecond: 500 },
      { submitRateLimitPerSecond: null },
      { creditLimitFen: 100_000 },
      { timeZone: 'Asia/Shanghai', lowBalanceFen: 50_000 },
    ],
  });
export const ledgerQuery = z.strictObject({
  limit: integerQueryOr(50, 1, 500),
  before: z
    .string()
    .regex(/^\d{1,18}$/, 'must be an entry id')
    .transform(BigInt)
    .optional(),
});
