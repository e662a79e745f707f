import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AdminEntryInput } from '../../db/ledger-repository.ts';
import type { MerchantAccount } from '../../db/merchant-repository.ts';
import { hashApiKey, newApiKey, newCallbackSecret } from '../../merchants/credentials.ts';
import { CARRIERS, type Carrier } from '../../shared/carriers.ts';
import type { AdminEnv } from '../admin-auth.ts';
import type { ApiDeps } from '../deps.ts';
import { merchantNotFound, problem, requestIdConflict } from '../errors.ts';
import { ledgerEntryJson } from '../ledger-json.ts';
import type { MerchantCache } from '../merchant-auth.ts';
import { merchantRatesJson } from '../rates-json.ts';
import { adminMerchantKeyRoutes } from './admin-merchant-keys.ts';
import { trimmedText } from '../../util/storable-text.ts';
import { adminRequestId as requestId, integerQueryOr, merchantIdParam, noQuery, rate } from '../request-schemas.ts';
import { validate } from '../validate.ts';

/** One admin entry moves at most 10,000,000 yuan. */
const MAX_ENTRY_FEN = 1_000_000_000;

/** A price per carrier for fast orders; `slow`: per carrier, for slow orders (a carrier left out: no slow orders of it). */
const merchantRates = z.strictObject({
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
const createBody = z.strictObject({ name: trimmedText(100), rates: merchantRates }).meta({
  examples: [
    { name: 'Acme Mobile', rates: { CMCC: 0.985, CUCC: 0.99, CTCC: 0.99, slow: { CMCC: 0.97, CUCC: 0.975 } } },
  ],
});
/** Who posts the entry is the token's operator, not a field. */
const entryBody = { note: trimmedText(500), requestId };
const topUpBody = z
  .strictObject({ ...entryBody, amountFen: z.number().int().positive().max(MAX_ENTRY_FEN) })
  .meta({ examples: [{ amountFen: 1_000_000, requestId: 'bank-20261205-001', note: 'bank transfer 2026-12-05' }] });
const adjustmentBody = z
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
const limit = z.number().int().min(1).max(100_000).nullable();
const changeBody = z
  .strictObject({
    submitRateLimitPerSecond: limit,
    readRateLimitPerSecond: limit,
    rates: merchantRates,
    /** How far below zero the balance may go (授信), in fen; 0: none. */
    creditLimitFen: z.number().int().min(0).max(MAX_ENTRY_FEN),
  })
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'nothing to change')
  .meta({
    minProperties: 1,
    description:
      '`rates` replaces every rate of the merchant (fast and slow). A `creditLimitFen` below the credit in use (minus a negative balance) is refused with 409 `credit_in_use`.',
    examples: [{ readRateLimitPerSecond: 500 }, { submitRateLimitPerSecond: null }, { creditLimitFen: 100_000 }],
  });
const ledgerQuery = z.strictObject({
  limit: integerQueryOr(50, 1, 500),
  before: z
    .string()
    .regex(/^\d{1,18}$/, 'must be an entry id')
    .transform(BigInt)
    .optional(),
});

/** Creates a merchant with its first API key and a callback secret, shown only in this answer (only the key's hash is stored). */
async function createMerchant(
  { merchants, logger }: Pick<ApiDeps, 'merchants' | 'logger'>,
  c: Context<AdminEnv>,
  { name, rates }: z.infer<typeof createBody>,
) {
  const merchantId = randomUUID();
  const apiKey = newApiKey();
  const callbackSecret = newCallbackSecret();
  const { keyId } = await merchants.create({
    id: merchantId,
    name,
    apiKeyHash: hashApiKey(apiKey),
    callbackSecret,
    rates,
  });
  logger.info({ merchantId, name, keyId, operator: c.get('operator').name }, 'merchant created');
  return c.json({ merchantId, name, rates: merchantRatesJson(rates), apiKey, keyId, callbackSecret }, 201);
}

/** A merchant account as admins see it, with the request limits in force (its own, else the default) and its own. */
function accountJson(merchant: MerchantAccount, rateLimits: ApiDeps['rateLimits']) {
  return {
    merchantId: merchant.id,
    name: merchant.name,
    rates: merchantRatesJson(merchant.rates),
    balanceFen: Number(merchant.balanceFen),
    creditLimitFen: Number(merchant.creditLimitFen),
    availableFen: Number(merchant.balanceFen + merchant.creditLimitFen),
    rateLimits: { ...rateLimits.limitsOf(merchant.limits), own: merchant.limits },
  };
}

/** Sets a merchant's own request limits or rates; the merchant cache is cleared, so this process applies them at once. */
async function changeMerchant(
  { merchants, logger, rateLimits }: Pick<ApiDeps, 'merchants' | 'logger' | 'rateLimits'>,
  merchantCache: MerchantCache,
  c: Context<AdminEnv>,
  merchantId: string,
  { rates, creditLimitFen, ...change }: z.infer<typeof changeBody>,
) {
  if (creditLimitFen !== undefined) {
    const credit = await merchants.setCreditLimit(merchantId, creditLimitFen);
    if (credit === 'no-merchant') return merchantNotFound(c, merchantId);
    if (credit === 'in-use')
      return problem(
        c,
        409,
        'credit_in_use',
        `The balance is below -${creditLimitFen} fen: the credit in use must be paid back before the limit is lowered to ${creditLimitFen} fen; nothing was changed`,
      );
  }
  const limits = { submitPerSecond: change.submitRateLimitPerSecond, readPerSecond: change.readRateLimitPerSecond };
  if (!(await merchants.setLimits(merchantId, limits))) return merchantNotFound(c, merchantId);
  if (rates) await merchants.setRates(merchantId, rates);
  // Other replicas apply it within their cache's lifetime.
  merchantCache.clear();
  logger.info(
    { merchantId, change: { ...change, rates, creditLimitFen }, operator: c.get('operator').name },
    'merchant changed',
  );
  return c.json(accountJson((await merchants.findById(merchantId)) as MerchantAccount, rateLimits));
}

/** Posts a top-up or adjustment; a repeat of the same requestId answers as the first time did. */
async function postEntry({ ledger, logger }: Pick<ApiDeps, 'ledger' | 'logger'>, c: Context, input: AdminEntryInput) {
  const result = await ledger.postAdminEntry(input);
  switch (result.outcome) {
    case 'no-merchant':
      return merchantNotFound(c, input.merchantId);
    case 'insufficient-balance':
      return problem(
        c,
        409,
        'insufficient_balance',
        `The balance is ${result.balanceFen} fen; an adjustment of ${input.amountFen} fen would take it below minus the merchant's credit limit`,
      );
    case 'conflict':
      return requestIdConflict(c, input.requestId, result.entry.id);
    default:
      if (result.outcome === 'posted')
        logger.info(
          {
            merchantId: input.merchantId,
            type: input.type,
            amountFen: input.amountFen,
            operator: input.operator,
            requestId: input.requestId,
          },
          'ledger entry posted',
        );
      return c.json(
        {
          merchantId: input.merchantId,
          balanceFen: Number(result.entry.balanceAfterFen),
          entry: ledgerEntryJson(result.entry),
        },
        201,
      );
  }
}

/** A page of the merchant's ledger entries, newest first, with its balance; `nextBefore` pages on. */
async function ledgerPage(
  { merchants, ledger }: Pick<ApiDeps, 'merchants' | 'ledger'>,
  c: Context,
  merchantId: string,
  { limit, before }: z.infer<typeof ledgerQuery>,
) {
  const [balance, entries] = await Promise.all([
    merchants.balance(merchantId),
    ledger.listForMerchant(merchantId, { limit, before }),
  ]);
  if (balance === undefined) return merchantNotFound(c, merchantId);
  const last = entries.length === limit ? entries.at(-1) : undefined;
  return c.json({
    merchantId,
    balanceFen: Number(balance.balanceFen),
    entries: entries.map(ledgerEntryJson),
    nextBefore: last ? String(last.id) : null,
  });
}

/** Merchants and their money, for the platform's admins: accounts, API keys, request limits, top-ups, adjustments and the ledger. */
export function adminMerchantRoutes(
  { merchants, ledger, logger, rateLimits }: Pick<ApiDeps, 'merchants' | 'ledger' | 'logger' | 'rateLimits'>,
  merchantCache: MerchantCache,
) {
  return new Hono<AdminEnv>()
    .post('/', validate('query', noQuery), validate('json', createBody), (c) =>
      createMerchant({ merchants, logger }, c, c.req.valid('json')),
    )
    .get('/:merchantId', validate('param', merchantIdParam), validate('query', noQuery), async (c) => {
      const { merchantId } = c.req.valid('param');
      const merchant = await merchants.findById(merchantId);
      if (!merchant) return merchantNotFound(c, merchantId);
      return c.json(accountJson(merchant, rateLimits));
    })
    .patch(
      '/:merchantId',
      validate('param', merchantIdParam),
      validate('query', noQuery),
      validate('json', changeBody),
      async (c) => {
        const { merchantId } = c.req.valid('param');
        return changeMerchant({ merchants, logger, rateLimits }, merchantCache, c, merchantId, c.req.valid('json'));
      },
    )
    .post(
      '/:merchantId/top-ups',
      validate('param', merchantIdParam),
      validate('query', noQuery),
      validate('json', topUpBody),
      (c) =>
        postEntry({ ledger, logger }, c, {
          ...c.req.valid('json'),
          ...c.req.valid('param'),
          type: 'TOP_UP',
          operator: c.get('operator').name,
        }),
    )
    .post(
      '/:merchantId/adjustments',
      validate('param', merchantIdParam),
      validate('query', noQuery),
      validate('json', adjustmentBody),
      (c) =>
        postEntry({ ledger, logger }, c, {
          ...c.req.valid('json'),
          ...c.req.valid('param'),
          type: 'ADJUSTMENT',
          operator: c.get('operator').name,
        }),
    )
    .get('/:merchantId/ledger', validate('param', merchantIdParam), validate('query', ledgerQuery), (c) =>
      ledgerPage({ merchants, ledger }, c, c.req.valid('param').merchantId, c.req.valid('query')),
    )
    .route('/:merchantId/keys', adminMerchantKeyRoutes({ merchants, logger }, merchantCache));
}
