import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AdminEntryInput } from '../../db/ledger-repository.ts';
import type { MerchantAccount } from '../../db/merchant-repository.ts';
import { hashApiKey, newApiKey, newCallbackSecret } from '../../merchants/credentials.ts';
import type { AdminEnv } from '../admin-auth.ts';
import type { ApiDeps } from '../deps.ts';
import { merchantNotFound, problem, requestIdConflict } from '../errors.ts';
import { ledgerEntryJson } from '../ledger-json.ts';
import type { MerchantCache } from '../merchant-auth.ts';
import { merchantRatesJson } from '../rates-json.ts';
import { adminMerchantKeyRoutes } from './admin-merchant-keys.ts';
import { adminMerchantStatementRoutes } from './admin-merchant-statements.ts';
import { merchantIdParam, noQuery } from '../request-schemas.ts';
import { validate } from '../validate.ts';
import { DEFAULT_TIME_ZONE } from '../../statements/local-day.ts';
import { adjustmentBody, changeBody, createBody, ledgerQuery, topUpBody } from '../admin-merchant-schemas.ts';

/** Creates a merchant with its first API key and a callback secret, shown only in this answer (only the key's hash is stored). */
async function createMerchant(
  { merchants, logger }: Pick<ApiDeps, 'merchants' | 'logger'>,
  c: Context<AdminEnv>,
  { name, rates, timeZone: zone }: z.infer<typeof createBody>,
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
    timeZone: zone,
  });
  logger.info({ merchantId, name, keyId, operator: c.get('operator').name }, 'merchant created');
  return c.json(
    {
      merchantId,
      name,
      rates: merchantRatesJson(rates),
      timeZone: zone ?? DEFAULT_TIME_ZONE,
      apiKey,
      keyId,
      callbackSecret,
    },
    201,
  );
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
    timeZone: merchant.timeZone,
    lowBalanceFen: Number(merchant.lowBalanceFen),
    rateLimits: { ...rateLimits.limitsOf(merchant.limits), own: merchant.limits },
  };
}

/** Sets a merchant's own request limits or rates; the merchant cache is cleared, so this process applies them at once. */
async function changeMerchant(
  { merchants, logger, rateLimits }: Pick<ApiDeps, 'merchants' | 'logger' | 'rateLimits'>,
  merchantCache: MerchantCache,
  c: Context<AdminEnv>,
  merchantId: string,
  { rates, creditLimitFen, timeZone: zone, lowBalanceFen, ...change }: z.infer<typeof changeBody>,
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
  await merchants.setSettings(merchantId, { timeZone: zone, lowBalanceFen });
  if (rates) await merchants.setRates(merchantId, rates);
  // Other replicas apply it within their cache's lifetime.
  merchantCache.clear();
  logger.info(
    {
      merchantId,
      change: { ...change, rates, creditLimitFen, timeZone: zone, lowBalanceFen },
      operator: c.get('operator').name,
    },
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

type MerchantRouteDeps = Pick<ApiDeps, 'merchants' | 'ledger' | 'logger' | 'rateLimits' | 'statements'>;

/** Merchants and their money, for the platform's admins: accounts, API keys, request limits, top-ups, adjustments and the ledger. */
export function adminMerchantRoutes(
  { merchants, ledger, logger, rateLimits, statements }: MerchantRouteDeps,
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
    .route('/:merchantId/keys', adminMerchantKeyRoutes({ merchants, logger }, merchantCache))
    .route('/:merchantId/statements', adminMerchantStatementRoutes({ statements }));
}
