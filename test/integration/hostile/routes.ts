/**
 * Every route of the API with what a valid request to it looks like and,
 * field by field, values that are wrong by the README's rules (so a body
 * with one of them must be refused whatever else it holds).
 */
import fc from 'fast-check';
import { DENOMINATIONS_YUAN } from '../../../src/shared/carriers.ts';
import { TEST_SUPPLIER_ID } from '../harness.ts';
import {
  PROPERTY_NAMES,
  blank,
  hostileNumber,
  hostileString,
  longString,
  notANumber,
  notAString,
  unstorableString,
  withForbiddenChar,
} from './values.ts';

export interface Fixtures {
  merchantKey: string;
  adminToken: string;
  callbackSecret: string;
  /** Merchants, orders and reconciliation runs that exist. */
  merchantIds: string[];
  /** The authenticated merchant's own orders, and all orders. */
  ownOrderIds: string[];
  orderIds: string[];
  ownMerchantOrderNos: string[];
  runIds: string[];
  /** Supplier bill reconciliation runs of the supplier `sim`. */
  billRunIds: string[];
  /** API keys of the fixtures' merchants (revoked ones, so that no request can change them). */
  keyIds: string[];
  /** Callbacks the supplier `sim` really sent, as received (each names an attempt's request id). */
  callbacks: { rawBody: string; signature: string }[];
}

export interface Field {
  valid: fc.Arbitrary<unknown>;
  /** Values the field must never accept. */
  invalid: fc.Arbitrary<unknown>;
  optional?: boolean;
}

export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  template: string;
  auth: 'none' | 'merchant' | 'admin' | 'carrier';
  params?: (f: Fixtures) => Record<string, fc.Arbitrary<string>>;
  /** The query keys the route reads ([]: none, but any query must be answered), and a valid query if it needs one. */
  queryKeys?: string[];
  validQuery?: (f: Fixtures) => fc.Arbitrary<string>;
  fields?: (f: Fixtures) => Record<string, Field>;
}

const wrongString = (...invalid: fc.Arbitrary<unknown>[]) => fc.oneof(notAString, unstorableString, ...invalid);
/** A required text that is trimmed and 1..max long. */
const text = (max: number, valid: string): Field => ({
  valid: fc.constant(valid),
  invalid: wrongString(
    blank,
    longString(max + 1, max + 200).map((s) => `x${s.trim()}x`.padEnd(max + 1, 'x')),
  ),
});
const optionalNote: Field = {
  valid: fc.constant('checked with the carrier'),
  invalid: wrongString(longString(501, 2_000)),
  optional: true,
};
const integerNotIn = (allowed: (n: number) => boolean) =>
  fc.oneof(
    notANumber,
    fc.integer().filter((n) => !allowed(n)),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n)),
    fc.constantFrom(1e308, -1e308, 2 ** 63, Number.MAX_SAFE_INTEGER + 2).filter((n) => !allowed(n)),
  );
const rate = fc.constantFrom(0.5, 0.985, 1, 1.25, 2);
const badRate = fc.oneof(notANumber, fc.constantFrom(0, 0.49, -1, 2.000001, 1.0000001, 0.9999999, 1e308, 3));

/** A merchant's rates, fast per carrier and slow for some (each at least `min`). */
const merchantRates = (min = 0.5): Field => {
  const atLeast = rate.filter((r) => r >= min);
  return {
    valid: fc.record(
      { CMCC: atLeast, CUCC: atLeast, CTCC: atLeast, slow: fc.record({ CMCC: atLeast }) },
      { requiredKeys: ['CMCC', 'CUCC', 'CTCC'] },
    ),
    invalid: fc.oneof(
      notANumber,
      fc.constant([1, 1, 1]),
      fc.record({ CMCC: badRate, CUCC: rate, CTCC: rate }),
      fc.record({ CMCC: rate, CUCC: rate }),
      fc.record({ CMCC: rate, CUCC: rate, CTCC: rate, CMCX: rate }),
      fc.record({ CMCC: rate, CUCC: rate, CTCC: rate, slow: fc.record({ CMCX: rate }) }),
      fc.record({ CMCC: rate, CUCC: rate, CTCC: rate, slow: fc.record({ CMCC: badRate }) }),
    ),
  };
};

/** A supplier's settings, each as the create and PATCH bodies take it. */
const supplierSettings = (): Record<string, Field> => ({
  priority: { valid: fc.integer({ min: 0, max: 1000 }), invalid: integerNotIn((n) => n >= 0 && n <= 1000) },
  weight: { valid: fc.integer({ min: 1, max: 1000 }), invalid: integerNotIn((n) => n >= 1 && n <= 1000) },
  rateLimitPerSecond: {
    valid: fc.integer({ min: 1, max: 10_000 }),
    invalid: integerNotIn((n) => n >= 1 && n <= 10_000),
  },
  concurrencyLimit: { valid: fc.integer({ min: 1, max: 10_000 }), invalid: integerNotIn((n) => n >= 1 && n <= 10_000) },
  baseUrl: {
    valid: fc.constant('http://127.0.0.1:9/'),
    invalid: wrongString(
      fc.constantFrom('ftp://x.test/', 'javascript:alert(1)', 'not a url', '', 'file:///etc/passwd'),
    ),
  },
  rates: {
    valid: fc.record({ CMCC: rate, CUCC: rate, CTCC: rate }),
    invalid: fc.oneof(notANumber, fc.record({ CMCC: badRate }), fc.record({ CMCX: rate })),
  },
  // Only what keeps the stack's supplier selling every product: other tests' orders must still find it.
  provinces: {
    valid: fc.constant('all'),
    invalid: fc.oneof(notAString, fc.constantFrom([], ['Guangdong'], ['广东', '广东'], '广东', 'ALL', [null])),
    optional: true,
  },
  speeds: {
    valid: fc.constant(['fast', 'slow']),
    invalid: fc.oneof(notAString, fc.constantFrom([], ['express'], ['fast', 'fast'], 'fast', [null])),
    optional: true,
  },
  callbackMaxSkewSeconds: {
    // Never below the default: the stack's supplier keeps taking its callbacks.
    valid: fc.integer({ min: 300, max: 86_400 }),
    invalid: integerNotIn((n) => n >= 10 && n <= 86_400),
    optional: true,
  },
});
const supplierId = () => ({ supplierId: fc.constant(TEST_SUPPLIER_ID) });
const day = fc
  .date({ min: new Date('2020-01-01'), max: new Date('2029-12-31'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

const orderId = (ids: (f: Fixtures) => string[]) => (f: Fixtures) => ({ orderId: fc.constantFrom(...ids(f)) });
const merchantId = (f: Fixtures) => ({ merchantId: fc.constantFrom(...f.merchantIds) });
/** Statement days: before the fixtures' merchants existed (an empty statement, nothing stored). */
const statementDate = () => ({ date: fc.constantFrom('2026-01-01', '2025-06-30') });
/** An IANA time zone, and what is not one (a made-up zone, a bare offset). */
const timeZone: Field = {
  valid: fc.constantFrom('Asia/Shanghai', 'asia/shanghai', 'UTC'),
  invalid: wrongString(
    fc.constant(''),
    fc.constant('Mars/Olympus_Mons'),
    fc.constant('+08:00'),
    longString(65, 100),
    withForbiddenChar(/[A-Za-z0-9_+/-]/),
  ),
  optional: true,
};

/** The carrier's signed result body; `orderId` is the order's id (or a supplier attempt's request id). */
const callbackFields = (orderIdOrRequestId: fc.Arbitrary<string>): Record<string, Field> => ({
  orderId: { valid: orderIdOrRequestId, invalid: wrongString(fc.constant(''), longString(65, 300)) },
  carrierOrderId: { valid: fc.constant('C-hostile-1'), invalid: wrongString(fc.constant(''), longString(65, 300)) },
  status: {
    valid: fc.constantFrom('SUCCESS', 'FAILED', 'REVERSED'),
    invalid: wrongString(fc.constantFrom('success', 'SUCCEEDED', 'DONE', '', 'SUCCESS ')),
  },
  reason: { valid: fc.constant('number not in service'), invalid: wrongString(longString(501, 2_000)), optional: true },
  timestamp: {
    // Fresh at each generation: a callback older than its supplier's window is refused as a replay.
    valid: fc.constant(null).map(() => new Date().toISOString()),
    invalid: wrongString(fc.constantFrom('yesterday', '2026-13-01T00:00:00Z', '', '2026-11-23 12:00:00', '1700000000')),
  },
});

export const ROUTES: Route[] = [
  { method: 'GET', template: '/healthz', auth: 'none', queryKeys: [] },
  { method: 'GET', template: '/readyz', auth: 'none', queryKeys: [] },
  { method: 'GET', template: '/metrics', auth: 'none', queryKeys: [] },
  { method: 'GET', template: '/openapi.json', auth: 'none', queryKeys: [] },
  { method: 'GET', template: '/docs', auth: 'none', queryKeys: [] },
  {
    method: 'GET',
    template: '/docs/:asset',
    auth: 'none',
    params: () => ({ asset: fc.constantFrom('swagger-ui.css', 'swagger-ui-bundle.js') }),
  },
  {
    method: 'POST',
    template: '/orders',
    auth: 'merchant',
    fields: () => ({
      merchantOrderNo: {
        valid: fc.uuid().map((u) => `H-${u.slice(0, 20)}`),
        invalid: wrongString(
          fc.constant(''),
          fc.integer({ min: 65, max: 300 }).map((n) => 'M'.repeat(n)),
          withForbiddenChar(/[A-Za-z0-9_-]/),
        ),
      },
      phone: {
        valid: fc.constantFrom('13812345678', '13012345678', '13312345678'),
        invalid: wrongString(
          withForbiddenChar(/\d/),
          fc.constantFrom('1381234567', '138123456789', '23812345678', '12812345678', '+8613812345678', ''),
        ),
      },
      amount: {
        valid: fc.constantFrom(...DENOMINATIONS_YUAN),
        invalid: integerNotIn((n) => (DENOMINATIONS_YUAN as readonly number[]).includes(n)),
      },
      speed: {
        valid: fc.constantFrom('fast', 'slow'),
        invalid: wrongString(fc.constantFrom('', 'FAST', 'express', 'fast ')),
        optional: true,
      },
      notifyUrl: {
        valid: fc.constant('https://merchant.test/notify'),
        invalid: wrongString(
          fc.constantFrom(
            'ftp://x.test/',
            'javascript:alert(1)',
            'not a url',
            '',
            'file:///etc/passwd',
            `https://x.test/${'a'.repeat(2_100)}`,
          ),
        ),
        optional: true,
      },
    }),
  },
  {
    method: 'GET',
    template: '/orders',
    auth: 'merchant',
    queryKeys: ['merchantOrderNo'],
    validQuery: (f) => fc.constantFrom(...f.ownMerchantOrderNos).map((no) => `merchantOrderNo=${no}`),
  },
  { method: 'GET', template: '/orders/:orderId', auth: 'merchant', params: orderId((f) => f.ownOrderIds) },
  { method: 'GET', template: '/orders/:orderId/live', auth: 'merchant', params: orderId((f) => f.ownOrderIds) },
  { method: 'GET', template: '/balance', auth: 'merchant' },
  {
    method: 'GET',
    template: '/statements/:date',
    auth: 'merchant',
    params: statementDate,
    queryKeys: ['partial'],
  },
  {
    method: 'GET',
    template: '/numbers/:phone',
    auth: 'merchant',
    // A known segment, a China Broadcast Network one, one the table does not know.
    params: () => ({ phone: fc.constantFrom('13812345678', '19212345678', '14000000000') }),
  },
  {
    method: 'GET',
    template: '/products',
    auth: 'merchant',
    queryKeys: ['phone'],
    validQuery: () => fc.constantFrom('', 'phone=13812345678', 'phone=18612345678'),
  },
  {
    method: 'POST',
    template: '/callbacks/carrier',
    auth: 'carrier',
    fields: (f) => callbackFields(fc.constantFrom(...f.orderIds)),
  },
  {
    method: 'POST',
    template: '/callbacks/suppliers/:supplierId',
    auth: 'carrier',
    params: () => ({ supplierId: fc.constant('sim') }),
    // A supplier's callback names the attempt's request id: `<orderId>-<attempt>`.
    fields: (f) => callbackFields(fc.constantFrom(...f.orderIds).map((id) => `${id}-1`)),
  },
  {
    method: 'GET',
    template: '/admin/orders',
    auth: 'admin',
    queryKeys: ['status', 'olderThanSeconds', 'needsReview', 'limit'],
  },
  { method: 'GET', template: '/admin/orders/:orderId', auth: 'admin', params: orderId((f) => f.orderIds) },
  {
    method: 'POST',
    template: '/admin/orders/:orderId/resolve',
    auth: 'admin',
    params: orderId((f) => f.orderIds),
    fields: () => ({
      outcome: {
        valid: fc.constantFrom('SUCCEEDED', 'FAILED'),
        invalid: wrongString(fc.constantFrom('succeeded', 'ESCALATED', 'PENDING', '', "FAILED'--")),
      },
      note: text(500, 'carrier confirmed'),
    }),
  },
  {
    method: 'POST',
    template: '/admin/orders/:orderId/retry',
    auth: 'admin',
    params: orderId((f) => f.orderIds),
    fields: () => ({ note: optionalNote }),
  },
  {
    method: 'POST',
    template: '/admin/orders/:orderId/reverse',
    auth: 'admin',
    params: orderId((f) => f.orderIds),
    fields: () => ({ note: text(500, 'supplier confirmed the reversal') }),
  },
  {
    method: 'POST',
    template: '/admin/orders/:orderId/notifications',
    auth: 'admin',
    params: orderId((f) => f.orderIds),
    fields: () => ({ note: optionalNote }),
  },
  {
    method: 'POST',
    template: '/admin/merchants',
    auth: 'admin',
    fields: () => ({
      name: text(100, 'Shop A'),
      rates: merchantRates(),
      timeZone,
    }),
  },
  { method: 'GET', template: '/admin/merchants/:merchantId', auth: 'admin', params: merchantId },
  {
    method: 'PATCH',
    template: '/admin/merchants/:merchantId',
    auth: 'admin',
    params: merchantId,
    fields: () => {
      // A merchant's own limit, or null for the default: anything else is refused.
      const limit: Field = {
        valid: fc.oneof(fc.integer({ min: 1, max: 100_000 }), fc.constant(null)),
        invalid: integerNotIn((n) => n >= 1 && n <= 100_000).filter((value) => value !== null),
        optional: true,
      };
      // Rates of at least 1: the fixtures' merchants keep buying from the stack's supplier (it costs 0.97).
      return {
        submitRateLimitPerSecond: limit,
        readRateLimitPerSecond: limit,
        creditLimitFen: {
          valid: fc.integer({ min: 0, max: 1_000_000 }),
          invalid: integerNotIn((n) => n >= 0 && n <= 1_000_000_000),
          optional: true,
        },
        rates: { ...merchantRates(1), optional: true },
        timeZone,
        lowBalanceFen: {
          valid: fc.integer({ min: 0, max: 1_000_000 }),
          invalid: integerNotIn((n) => n >= 0 && n <= 1_000_000_000),
          optional: true,
        },
      };
    },
  },
  {
    method: 'POST',
    template: '/admin/merchants/:merchantId/top-ups',
    auth: 'admin',
    params: merchantId,
    fields: () => ({
      amountFen: {
        valid: fc.integer({ min: 1, max: 1_000_000_000 }),
        invalid: integerNotIn((n) => n >= 1 && n <= 1_000_000_000),
      },
      note: text(500, 'bank transfer 8812'),
      requestId: {
        valid: fc.uuid(),
        invalid: wrongString(fc.constant(''), fc.constant('r'.repeat(65)), withForbiddenChar(/[A-Za-z0-9_.:-]/)),
      },
    }),
  },
  {
    method: 'POST',
    template: '/admin/merchants/:merchantId/adjustments',
    auth: 'admin',
    params: merchantId,
    fields: () => ({
      amountFen: {
        valid: fc.integer({ min: -1_000, max: 1_000 }).filter((n) => n !== 0),
        invalid: integerNotIn((n) => n !== 0 && Math.abs(n) <= 1_000_000_000),
      },
      note: text(500, 'correction'),
      requestId: {
        valid: fc.uuid(),
        invalid: wrongString(fc.constant(''), fc.constant('r'.repeat(65)), withForbiddenChar(/[A-Za-z0-9_.:-]/)),
      },
    }),
  },
  {
    method: 'GET',
    template: '/admin/merchants/:merchantId/ledger',
    auth: 'admin',
    params: merchantId,
    queryKeys: ['limit', 'before'],
  },
  {
    method: 'GET',
    template: '/admin/merchants/:merchantId/statements/:date',
    auth: 'admin',
    params: (f) => ({ ...merchantId(f), ...statementDate() }),
    queryKeys: ['partial'],
  },
  { method: 'POST', template: '/admin/merchants/:merchantId/keys', auth: 'admin', params: merchantId },
  { method: 'GET', template: '/admin/merchants/:merchantId/keys', auth: 'admin', params: merchantId },
  {
    method: 'DELETE',
    template: '/admin/merchants/:merchantId/keys/:keyId',
    auth: 'admin',
    params: (f) => ({ ...merchantId(f), keyId: fc.constantFrom(...f.keyIds) }),
  },
  {
    method: 'POST',
    template: '/admin/suppliers',
    auth: 'admin',
    fields: () => ({
      id: {
        valid: fc.uuid().map((u) => `h-${u.slice(0, 8)}`),
        invalid: wrongString(
          fc.constantFrom('', 'Sim-A', 'sim_a', '-sim', 's'.repeat(33), 'sim a'),
          withForbiddenChar(/[a-z0-9-]/),
        ),
      },
      name: text(100, 'Hostile supplier'),
      carriers: {
        valid: fc.constant(['CMCC', 'CUCC']),
        invalid: fc.oneof(notAString, fc.constantFrom([], ['CMCX'], 'CMCC', [null], ['cmcc'])),
      },
      faceValuesYuan: {
        valid: fc.constant([50, 100]),
        invalid: fc.oneof(notANumber, fc.constantFrom([], [7], ['50'], [50.5], 50)),
      },
      ...supplierSettings(),
      callbackSecret: {
        valid: fc.constant('a-callback-secret-of-the-supplier'),
        invalid: wrongString(fc.constantFrom('', 'short')),
        optional: true,
      },
    }),
  },
  { method: 'GET', template: '/admin/suppliers', auth: 'admin' },
  { method: 'GET', template: '/admin/suppliers/:supplierId', auth: 'admin', params: supplierId },
  {
    method: 'PATCH',
    template: '/admin/suppliers/:supplierId',
    auth: 'admin',
    params: supplierId,
    fields: () =>
      Object.fromEntries(
        Object.entries({
          ...supplierSettings(),
          enabled: {
            valid: fc.constant(true),
            invalid: fc.oneof(hostileNumber, hostileString, fc.constantFrom('true', 'false', null, [true], {})),
          },
          lowBalanceFen: {
            valid: fc.integer({ min: 0, max: 1_000 }),
            invalid: integerNotIn((n) => n >= 0 && n <= 1_000_000_000),
          },
        }).map(([name, field]) => [name, { ...field, optional: true }]),
      ),
  },
  {
    method: 'POST',
    template: '/admin/suppliers/:supplierId/top-ups',
    auth: 'admin',
    params: supplierId,
    fields: () => ({
      amountFen: {
        valid: fc.integer({ min: 1, max: 1_000_000_000 }),
        invalid: integerNotIn((n) => n >= 1 && n <= 1_000_000_000),
      },
      note: text(500, 'prepaid 2026-12'),
      requestId: {
        valid: fc.uuid(),
        invalid: wrongString(fc.constant(''), fc.constant('r'.repeat(65)), withForbiddenChar(/[A-Za-z0-9_.:-]/)),
      },
    }),
  },
  {
    method: 'GET',
    template: '/admin/suppliers/:supplierId/ledger',
    auth: 'admin',
    params: supplierId,
    queryKeys: ['limit'],
  },
  {
    method: 'GET',
    template: '/admin/reports/margin',
    auth: 'admin',
    queryKeys: ['from', 'to'],
    validQuery: () =>
      day.map((from) => `from=${from}&to=${new Date(Date.parse(from) + 86_400_000).toISOString().slice(0, 10)}`),
  },
  {
    method: 'POST',
    template: '/admin/suppliers/:supplierId/bill-reconciliations',
    auth: 'admin',
    params: supplierId,
    fields: () => ({
      date: {
        valid: day,
        invalid: wrongString(
          fc.constant(''),
          fc.constant('2026-02-30'),
          fc.constant('20261204'),
          fc.constant('2026-1-04'),
        ),
      },
    }),
  },
  {
    method: 'GET',
    template: '/admin/suppliers/:supplierId/bill-reconciliations/:runId',
    auth: 'admin',
    params: (f) => ({ supplierId: fc.constant(TEST_SUPPLIER_ID), runId: fc.constantFrom(...f.billRunIds) }),
  },
  { method: 'POST', template: '/admin/reconciliations', auth: 'admin' },
  {
    method: 'GET',
    template: '/admin/reconciliations/:runId',
    auth: 'admin',
    params: (f) => ({ runId: fc.constantFrom(...f.runIds) }),
  },
  {
    method: 'POST',
    template: '/admin/blocked-numbers',
    auth: 'admin',
    fields: () => ({
      phone: {
        valid: fc.constantFrom('13812345678', '19912345678', '17012345678'),
        invalid: wrongString(
          withForbiddenChar(/\d/),
          fc.constantFrom('1381234567', '138123456789', '23812345678', '12812345678', '+8613812345678', ''),
        ),
      },
      reason: text(500, 'fraud: stolen SIM'),
    }),
  },
  { method: 'GET', template: '/admin/blocked-numbers', auth: 'admin', queryKeys: ['limit', 'before'] },
  {
    method: 'DELETE',
    template: '/admin/blocked-numbers/:phone',
    auth: 'admin',
    // Never blocked: no request may unblock anything.
    params: () => ({ phone: fc.constant('13812345678') }),
  },
  { method: 'GET', template: '/admin/risk-limits', auth: 'admin' },
  {
    method: 'PATCH',
    template: '/admin/risk-limits',
    auth: 'admin',
    fields: () => ({
      perNumberDailyOrders: {
        valid: fc.integer({ min: 1, max: 10_000 }),
        invalid: integerNotIn((n) => n >= 1 && n <= 10_000),
        optional: true,
      },
      perNumberDailyAmountYuan: {
        valid: fc.integer({ min: 1, max: 10_000_000 }),
        invalid: integerNotIn((n) => n >= 1 && n <= 10_000_000),
        optional: true,
      },
    }),
  },
];

export const routeKey = (route: Route) => `${route.method} ${route.template}`;

/** Ids no fixture has, in every shape: unknown UUIDs, near-UUIDs, run-id look-alikes, the demo merchant's id and garbage. */
export const strangeId = (f: Fixtures) =>
  fc
    .oneof(
      hostileString,
      fc.uuid(),
      fc.uuid().map((u) => u.toUpperCase()),
      fc.uuid().map((u) => `{${u}}`),
      fc.uuid().map((u) => u.replaceAll('-', '')),
      fc.uuid().map((u) => `${u} `),
      fc.uuid().map((u) => `reconciliation-${u}`),
      fc
        .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
        .map((d) => `reconciliation-daily-${d.toISOString()}`),
      fc.constantFrom(
        'demo',
        'DEMO',
        'demo ',
        'demo\u0000',
        '.',
        '..',
        '',
        '0',
        '-1',
        'null',
        'undefined',
        'reconciliation-daily',
        ...PROPERTY_NAMES,
      ),
    )
    .filter((id) => ![...f.orderIds, ...f.merchantIds, ...f.runIds, ...f.billRunIds, ...f.keyIds].includes(id));
