import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { SupplierHealth, SupplierRow } from '../../db/supplier-repository.ts';
import { newCallbackSecret } from '../../merchants/credentials.ts';
import { CARRIERS, DENOMINATIONS_YUAN, type Carrier } from '../../shared/carriers.ts';
import { PROVINCES } from '../../shared/provinces.ts';
import { SPEEDS } from '../../shared/speeds.ts';
import type { AdminEnv } from '../admin-auth.ts';
import type { ApiDeps } from '../deps.ts';
import { problem, requestIdConflict, supplierNotFound } from '../errors.ts';
import { ratesJson } from '../rates-json.ts';
import { storableText, trimmedText } from '../../util/storable-text.ts';
import {
  SUPPLIER_ID_PATTERN,
  adminRequestId,
  httpUrl,
  integerQueryOr,
  noQuery,
  rate,
  supplierIdParam,
} from '../request-schemas.ts';
import { ACROSS_FIELDS, validate } from '../validate.ts';

/** One top-up moves at most 10,000,000 yuan. */
const MAX_TOP_UP_FEN = 1_000_000_000;

/** A non-empty list of distinct values of `item`, so at most `count` of them. */
const distinct = <Item extends z.ZodType>(item: Item, count: number) =>
  z
    .array(item)
    .min(1)
    .max(count)
    .refine((values) => new Set(values).size === values.length, 'must not repeat a value')
    .meta({ uniqueItems: true });
/** At least one carrier's rate: `{}` would be a change that changes nothing, or a supplier that sells nothing. */
const rates = z
  .strictObject(
    Object.fromEntries(CARRIERS.map((carrier) => [carrier, rate.optional()])) as Record<
      Carrier,
      z.ZodOptional<typeof rate>
    >,
  )
  .refine((given) => Object.keys(given).length > 0, "must give at least one carrier's rate")
  .meta({ minProperties: 1 });
const settings = {
  priority: z.number().int().min(0).max(1000),
  weight: z.number().int().min(1).max(1000),
  rateLimitPerSecond: z.number().int().min(1).max(10_000),
  concurrencyLimit: z.number().int().min(1).max(10_000),
  enabled: z.boolean(),
  lowBalanceFen: z.number().int().min(0).max(MAX_TOP_UP_FEN),
  baseUrl: httpUrl,
  /** How far a callback's signed timestamp may be from our clock before it is refused as a replay. */
  callbackMaxSkewSeconds: z.number().int().min(10).max(86_400),
  /** A provincial channel lists its provinces; a national one serves "all" (stored as an empty list). */
  provinces: z
    .union([z.enum(['all']), distinct(z.enum(PROVINCES), PROVINCES.length)])
    .transform((provinces) => (provinces === 'all' ? [] : provinces)),
  speeds: distinct(z.enum(SPEEDS), SPEEDS.length),
};
const createBody = z
  .strictObject({
    id: z.string().regex(SUPPLIER_ID_PATTERN, 'must be 1-32 lower-case letters, digits or dashes'),
    name: trimmedText(100),
    /** Given when the supplier already has one for us; otherwise generated and shown once. */
    callbackSecret: storableText(200, 16).optional(),
    carriers: distinct(z.enum(CARRIERS), CARRIERS.length),
    faceValuesYuan: distinct(
      z.literal(DENOMINATIONS_YUAN, `must be one of ${DENOMINATIONS_YUAN.join(', ')}`),
      DENOMINATIONS_YUAN.length,
    ),
    rates,
    ...settings,
    enabled: settings.enabled.default(true),
    lowBalanceFen: settings.lowBalanceFen.default(0),
    callbackMaxSkewSeconds: settings.callbackMaxSkewSeconds.default(300),
    provinces: settings.provinces.default([]),
    speeds: settings.speeds.default(['fast']),
  })
  .refine((body) => body.carriers.every((carrier) => body.rates[carrier] !== undefined), {
    message: 'every carrier served needs a rate',
    path: ['rates'],
    ...ACROSS_FIELDS,
  })
  .meta({
    description: 'Every carrier in `carriers` needs its rate in `rates` (422 otherwise).',
    examples: [
      {
        id: 'acme-telecom',
        name: 'Acme Telecom',
        baseUrl: 'https://api.acme-telecom.example/recharge',
        carriers: ['CMCC', 'CUCC'],
        faceValuesYuan: [50, 100],
        rates: { CMCC: 0.97, CUCC: 0.975 },
        provinces: ['广东'],
        speeds: ['fast', 'slow'],
        priority: 1,
        weight: 1,
        rateLimitPerSecond: 50,
        concurrencyLimit: 20,
      },
    ],
  });
const patchBody = z
  .strictObject({ ...settings, rates })
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'nothing to change')
  .meta({
    minProperties: 1,
    examples: [{ enabled: false }, { rates: { CMCC: 0.965 } }, { provinces: 'all', speeds: ['slow'] }],
  });
const topUpBody = z
  .strictObject({
    amountFen: z.number().int().positive().max(MAX_TOP_UP_FEN),
    requestId: adminRequestId,
    note: trimmedText(500),
  })
  .meta({ examples: [{ amountFen: 100_000_000, requestId: 'prepay-20261205', note: 'prepaid 2026-12' }] });
const ledgerQuery = z.strictObject({ limit: integerQueryOr(50, 1, 500) });

/** A supplier as admins see it: never its callback secret (shown once, at creation). */
function supplierJson(supplier: SupplierRow, health: SupplierHealth = { requests: 0, faults: 0, successRate: null }) {
  const {
    callbackSecret: _secret,
    nextCallAt: _pacing,
    balanceFen,
    lowBalanceFen,
    rates: stored,
    breakerChangedAt,
    consecutiveFaults,
    breakerState,
    provinces,
    ...rest
  } = supplier;
  return {
    ...rest,
    provinces: provinces.length === 0 ? 'all' : provinces,
    rates: ratesJson<Carrier>(stored),
    balanceFen: Number(balanceFen),
    lowBalanceFen: Number(lowBalanceFen),
    breaker: { state: breakerState, consecutiveFaults, since: breakerChangedAt },
    last5Minutes: health,
  };
}

/** Credits a supplier's prepaid balance; a repeat of the same requestId answers as the first time did. */
async function postTopUp(
  { supplierLedger, logger }: Pick<ApiDeps, 'supplierLedger' | 'logger'>,
  c: Context,
  input: Parameters<ApiDeps['supplierLedger']['topUp']>[0],
) {
  const { supplierId } = input;
  const result = await supplierLedger.topUp(input);
  if (result.outcome === 'no-supplier') return supplierNotFound(c, supplierId);
  if (result.outcome === 'conflict') return requestIdConflict(c, input.requestId, result.entry.id);
  if (result.outcome === 'posted') {
    const { amountFen, operator, requestId } = input;
    logger.info({ supplierId, amountFen, operator, requestId }, 'supplier topped up');
  }
  const entry = supplierEntryJson(result.entry);
  return c.json({ supplierId, balanceFen: entry.balanceAfterFen, entry }, 201);
}

/** Creates a supplier as the request's operator; its callback secret (given or made here) is shown this once. */
async function createSupplier(
  { suppliers, logger }: Pick<ApiDeps, 'suppliers' | 'logger'>,
  c: Context<AdminEnv>,
  { callbackSecret = newCallbackSecret(), ...body }: z.infer<typeof createBody>,
) {
  const operator = c.get('operator').name;
  if (!(await suppliers.create({ ...body, callbackSecret }, operator)))
    return problem(c, 409, 'supplier_exists', `A supplier ${body.id} already exists`);
  logger.info({ supplierId: body.id, baseUrl: body.baseUrl, operator }, 'supplier created');
  const created = (await suppliers.findById(body.id)) as SupplierRow;
  return c.json({ ...supplierJson(created), callbackSecret }, 201);
}

/** Upstream suppliers for the platform's admins: routing settings, limits, health, prepaid balance. */
export function adminSupplierRoutes({
  suppliers,
  supplierLedger,
  logger,
}: Pick<ApiDeps, 'suppliers' | 'supplierLedger' | 'logger'>) {
  return new Hono<AdminEnv>()
    .post('/', validate('query', noQuery), validate('json', createBody), (c) =>
      createSupplier({ suppliers, logger }, c, c.req.valid('json')),
    )
    .get('/', validate('query', noQuery), async (c) => {
      const [all, health] = await Promise.all([suppliers.list(), suppliers.health()]);
      return c.json({ suppliers: all.map((supplier) => supplierJson(supplier, health.get(supplier.id))) });
    })
    .get('/:supplierId', validate('param', supplierIdParam), validate('query', noQuery), async (c) => {
      const { supplierId } = c.req.valid('param');
      const [supplier, health, changes] = await Promise.all([
        suppliers.findById(supplierId),
        suppliers.health(),
        suppliers.recentChanges(supplierId),
      ]);
      if (!supplier) return supplierNotFound(c, supplierId);
      return c.json({ ...supplierJson(supplier, health.get(supplierId)), recentChanges: changes });
    })
    .patch(
      '/:supplierId',
      validate('param', supplierIdParam),
      validate('query', noQuery),
      validate('json', patchBody),
      async (c) => {
        const { supplierId } = c.req.valid('param');
        const operator = c.get('operator').name;
        if (!(await suppliers.update(supplierId, c.req.valid('json'), operator)))
          return supplierNotFound(c, supplierId);
        logger.info({ supplierId, change: c.req.valid('json'), operator }, 'supplier changed');
        return c.json(supplierJson((await suppliers.findById(supplierId)) as SupplierRow));
      },
    )
    .post(
      '/:supplierId/top-ups',
      validate('param', supplierIdParam),
      validate('query', noQuery),
      validate('json', topUpBody),
      async (c) =>
        postTopUp({ supplierLedger, logger }, c, {
          ...c.req.valid('json'),
          ...c.req.valid('param'),
          operator: c.get('operator').name,
        }),
    )
    .get('/:supplierId/ledger', validate('param', supplierIdParam), validate('query', ledgerQuery), async (c) => {
      const { supplierId } = c.req.valid('param');
      const [supplier, entries] = await Promise.all([
        suppliers.findById(supplierId),
        supplierLedger.listForSupplier(supplierId, c.req.valid('query').limit),
      ]);
      if (!supplier) return supplierNotFound(c, supplierId);
      return c.json({ supplierId, balanceFen: Number(supplier.balanceFen), entries: entries.map(supplierEntryJson) });
    });
}

function supplierEntryJson(entry: Awaited<ReturnType<ApiDeps['supplierLedger']['listForSupplier']>>[number]) {
  return {
    ...entry,
    id: String(entry.id),
    amountFen: Number(entry.amountFen),
    balanceAfterFen: Number(entry.balanceAfterFen),
  };
}
