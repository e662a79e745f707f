/**
 * Generators of hostile requests, one family per way a client can be wrong.
 * Each request says which answers it may get: a family whose requests are
 * wrong by construction must be refused (4xx, or exactly the status named).
 */
import fc from 'fast-check';
import { isStorableText } from '../../../src/util/storable-text.ts';
import { sign } from '../../../src/util/signature.ts';
import { ROUTES, routeKey, strangeId, type Field, type Fixtures, type Route } from './routes.ts';
import { BAD_PERCENT, encode, headerValue, hostileJson, hostileNumber, hostileString } from './values.ts';

export interface HostileRequest {
  route: string;
  method: Route['method'];
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** 'refused': any 4xx; 'read': a GET, any answer below 500; or the exact statuses allowed. */
  expected: 'refused' | 'read' | number[];
}

/** What varies in a request to one route; params and query are percent-encoded already. */
interface Parts {
  params: Record<string, string>;
  query: string;
  body?: string | Uint8Array;
  contentType?: string | null;
}

const KEEP = Symbol('keep');
const REMOVE = Symbol('remove');

const withFields = ROUTES.filter((route) => route.fields);
const withParams = ROUTES.filter((route) => route.params);
const withAuth = ROUTES.filter((route) => route.auth === 'merchant' || route.auth === 'admin');
const withBody = ROUTES.filter((route) => route.method !== 'GET');
const callbackRoute = ROUTES.find((route) => route.template === '/callbacks/carrier') as Route;
const supplierCallbackRoute = ROUTES.find((route) => route.template === '/callbacks/suppliers/:supplierId') as Route;

const pick = <T>(items: T[]) => fc.constantFrom(...items);

/** A valid body: every required field, optional ones now and then. */
function validObject(fields: Record<string, Field>): fc.Arbitrary<Record<string, unknown>> {
  const entries = Object.entries(fields).map(
    ([name, field]) => [name, field.optional ? fc.option(field.valid, { nil: undefined }) : field.valid] as const,
  );
  return fc
    .record(Object.fromEntries(entries))
    .map((body) => Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined)));
}

function validParts(route: Route, f: Fixtures): fc.Arbitrary<Parts> {
  return fc.record({
    params: fc
      .record(route.params?.(f) ?? {})
      .map((params) => Object.fromEntries(Object.entries(params).map(([name, value]) => [name, encode(value)]))),
    query: route.validQuery?.(f) ?? fc.constant(''),
    body: route.fields ? validObject(route.fields(f)).map((body) => JSON.stringify(body)) : fc.constant(undefined),
  });
}

/** The route's own credentials: the merchant's key, the admin token, or the carrier's signature of the body. */
function credentials(route: Route, f: Fixtures, body: Parts['body']): Record<string, string> {
  if (route.auth === 'merchant') return { authorization: `Bearer ${f.merchantKey}` };
  if (route.auth === 'admin') return { authorization: `Bearer ${f.adminToken}` };
  if (route.auth === 'carrier')
    return {
      'X-Signature': sign(f.callbackSecret, typeof body === 'string' ? body : Buffer.from(body ?? []).toString()),
    };
  return {};
}

function build(
  route: Route,
  parts: Parts,
  f: Fixtures,
  expected: HostileRequest['expected'],
  auth = credentials(route, f, parts.body),
): HostileRequest {
  const path =
    route.template.replace(/:(\w+)/g, (_, name: string) => parts.params[name] ?? '') +
    (parts.query ? `?${parts.query}` : '');
  const contentType =
    parts.contentType === undefined ? (parts.body === undefined ? null : 'application/json') : parts.contentType;
  return {
    route: routeKey(route),
    method: route.method,
    path,
    headers: { ...(contentType !== null && { 'content-type': contentType }), ...auth },
    body: parts.body,
    expected,
  };
}

/** A NUL byte, or bytes that are not UTF-8, anywhere in the path or query: exactly 400, on every route. */
export const badUrl = (f: Fixtures) =>
  pick(ROUTES).chain((route) =>
    fc
      .record({
        parts: validParts(route, f),
        bad: pick(BAD_PERCENT),
        around: fc.string({ maxLength: 8 }).map(encode),
        where: pick(['param', 'query value', 'query key', 'extra segment'] as const),
      })
      .map(({ parts, bad, around, where }) => {
        // A following "z" keeps a lone "%" or "%0" from borrowing hex digits and becoming valid.
        const injected = `${around}${bad}z`;
        const param = Object.keys(parts.params)[0];
        if (where === 'param' && param)
          return build(route, { ...parts, params: { ...parts.params, [param]: injected } }, f, [400]);
        if (where === 'extra segment')
          return {
            ...build(route, parts, f, [400]),
            path: `${route.template.replace(/:(\w+)/g, (_, name: string) => parts.params[name] ?? '')}/${injected}`,
          };
        const pair = where === 'query key' ? `${injected}=1` : `q=${injected}`;
        return build(route, { ...parts, query: parts.query ? `${parts.query}&${pair}` : pair }, f, [400]);
      }),
  );

/** Ids that exist nowhere (unknown UUIDs, near-UUIDs, garbage) in every path parameter: 400 or 404. */
export const strangeParams = (f: Fixtures) =>
  pick(withParams).chain((route) =>
    fc.tuple(validParts(route, f), strangeId(f)).map(([parts, id]) => {
      const params = Object.fromEntries(Object.keys(parts.params).map((name) => [name, encode(id)]));
      return build(route, { ...parts, params }, f, 'refused');
    }),
  );

/** Any query on the routes that read one (and on the probes and /metrics): known and unknown keys, hostile and repeated values. Reads, so only "no 5xx". */
export const hostileQueries = (f: Fixtures) =>
  pick(ROUTES.filter((route) => route.queryKeys)).chain((route) =>
    fc
      .record({
        parts: validParts(route, f),
        pairs: fc.array(
          fc.tuple(
            fc.oneof(pick(route.queryKeys?.length ? route.queryKeys : ['q']), hostileString),
            fc.oneof(hostileString, pick(['1', '0', '500', '501', 'true', 'ESCALATED', '123', '-5', '1e3'])),
          ),
          { maxLength: 5 },
        ),
      })
      .map(({ parts, pairs }) =>
        build(
          route,
          { ...parts, query: pairs.map(([key, value]) => `${encode(key)}=${encode(value)}`).join('&') },
          f,
          'read',
        ),
      ),
  );

/** A body with at least one field wrong (missing, of another type, out of range, unstorable), maybe extra fields too; or no object at all. */
function brokenBody(fields: Record<string, Field>): fc.Arbitrary<unknown> {
  const names = Object.keys(fields);
  const change = (field: Field) =>
    fc.oneof(
      { arbitrary: fc.constant(KEEP), weight: 3 },
      { arbitrary: field.optional ? field.invalid : fc.oneof(fc.constant(REMOVE), field.invalid), weight: 1 },
    );
  const mutated = fc
    .record({
      valid: validObject(fields),
      changes: fc
        .record(Object.fromEntries(names.map((name) => [name, change(fields[name] as Field)])))
        .filter((changes) => Object.values(changes).some((c) => c !== KEEP)),
      extras: fc.dictionary(
        hostileString.filter((key) => !names.includes(key)),
        hostileJson,
        { maxKeys: 3 },
      ),
    })
    .map(({ valid, changes, extras }) => {
      const body: Record<string, unknown> = { ...extras, ...valid };
      for (const [name, value] of Object.entries(changes)) {
        if (value === REMOVE) delete body[name];
        else if (value !== KEEP) body[name] = value;
      }
      return body;
    });
  const notAnObject = fc.oneof(
    validObject(fields).map((body) => [body]),
    hostileString,
    hostileNumber,
    fc.constant(null),
    fc.boolean(),
    fc.array(hostileJson, { maxLength: 3 }),
  );
  return fc.oneof({ arbitrary: mutated, weight: 5 }, { arbitrary: notAnObject, weight: 1 });
}

/** Wrong bodies on every route that takes one, with valid credentials (a callback correctly signed). */
export const brokenBodies = (f: Fixtures) =>
  pick(withFields).chain((route) =>
    fc
      .tuple(validParts(route, f), brokenBody(route.fields?.(f) ?? {}))
      .map(([parts, body]) => build(route, { ...parts, body: JSON.stringify(body) }, f, 'refused')),
  );

const BAD_BYTES = [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xc0, 0x80], [0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]];
const MALFORMED = [
  '{',
  '{"a":}',
  "{'a':1}",
  '[1,]',
  'NaN',
  '{"a":1}}',
  'undefined',
  '{"a":1,"a":2',
  '\u0000',
  ',',
  '{"a":"\\x41"}',
  '{"a":"\\u12"}',
  '{"a":01}',
  '{"a":+1}',
  '{"a":.5}',
  '{"a":1e999999999999}x',
  '"\\ud800',
];
const NOT_JSON_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/jsonp',
  'text/json',
  'application/json-seq',
  'application/javascript',
  'json',
  '',
];

/** Raw bodies the JSON guard must refuse: malformed, not UTF-8, escaped NUL or lone surrogates, another media type, too large; plus valid JSON nested thousands deep. */
export const rawBodies = (f: Fixtures) =>
  pick(withBody).chain((route) => {
    const text = (route.fields ? validObject(route.fields(f)) : fc.constant({ x: 'y' })).map((body) =>
      JSON.stringify(body),
    );
    const kinds: fc.Arbitrary<Pick<Parts, 'body' | 'contentType'>>[] = [
      // Truncated from 1 character on: an empty body is no body (the reconciliation route would start a run).
      fc
        .oneof(
          pick(MALFORMED),
          text.chain((t) => fc.integer({ min: 1, max: t.length - 1 }).map((n) => t.slice(0, n))),
        )
        .map((body) => ({ body })),
      fc.tuple(text, pick(BAD_BYTES)).map(([t, bytes]) => {
        const at = t.indexOf('"') + 1 || 1;
        const encoded = Buffer.from(t);
        return {
          body: new Uint8Array(Buffer.concat([encoded.subarray(0, at), Buffer.from(bytes), encoded.subarray(at)])),
        };
      }),
      fc
        .tuple(text, pick(['\\u0000', 'a\\u0000b', '\\ud800', '\\udfff', 'x\\uDC00']))
        .map(([t, escape]) => ({ body: t.replace(/^\{/, `{"hostile":"${escape}",`).replace(',}', '}') })),
      fc.tuple(text, pick([...NOT_JSON_TYPES, null])).map(([body, contentType]) => ({ body, contentType })),
      fc
        .tuple(text, fc.integer({ min: 16 * 1024, max: 64 * 1024 }))
        .map(([t, size]) => ({ body: t.replace(/^\{/, `{"pad":"${'x'.repeat(size)}",`).replace(',}', '}') })),
    ];
    // Deep valid JSON passes the guard and is refused by the route's schema; the reconciliation route has none (it takes no body).
    if (route.fields)
      kinds.push(
        fc.tuple(fc.integer({ min: 50, max: 8_000 }), fc.boolean()).map(([depth, arrays]) => ({
          body: arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
        })),
      );
    return fc
      .tuple(validParts(route, f), fc.oneof(...kinds))
      .map(([parts, raw]) => build(route, { ...parts, ...raw }, f, 'refused'));
  });

/** A valid request with a missing, malformed or wrong credential: 401 or 403, whatever else it says. */
export const badCredentials = (f: Fixtures) =>
  pick(withAuth).chain((route) => {
    const own = route.auth === 'merchant' ? f.merchantKey : f.adminToken;
    const other = route.auth === 'merchant' ? f.adminToken : f.merchantKey;
    const grantsAccess = (value: string) => /^Bearer\s+(\S+)$/i.exec(value.trim())?.[1] === own;
    const header = fc
      .oneof(
        pick([
          '',
          'Bearer',
          'Bearer ',
          'bearer',
          'Basic',
          `Basic ${Buffer.from('admin:admin').toString('base64')}`,
          own,
          `Token ${own}`,
          `Bearer ${own}x`,
          `Bearer ${own.slice(0, -1)}`,
          `Bearer ${own.toUpperCase()}`,
          `Bearer ${own} ${own}`,
          `Bearer ${other}`,
          `Bearer ${'a'.repeat(8_000)}`,
        ]),
        headerValue,
        headerValue.map((token) => `Bearer ${token}`),
      )
      .filter((value) => !grantsAccess(value))
      .map((value) => ({ authorization: value }));
    return fc
      .tuple(validParts(route, f), fc.oneof(fc.constant({}), header))
      .map(([parts, auth]) => build(route, parts, f, [401, 403], auth));
  });

/** A timestamp `seconds` from now, as a supplier signs it (fresh: within the 300 s window). */
const secondsFromNow = (seconds: fc.Arbitrary<number>) =>
  seconds.map((offset) => new Date(Date.now() + offset * 1000).toISOString());

const callbackBody = (
  f: Fixtures,
  orderId: fc.Arbitrary<string>,
  timestamp = secondsFromNow(fc.integer({ min: -290, max: 290 })),
) =>
  fc
    .record({ orderId, carrierOrderId: pick(['C-1', 'C-hostile']), status: pick(['SUCCESS', 'FAILED']), timestamp })
    .map((body) => JSON.stringify(body));

/** Carrier callbacks (fresh, or replays of real ones) whose signature is missing, malformed, or made for another body or with another secret: 401. */
export const badSignatures = (f: Fixtures) =>
  fc.oneof(callbackBody(f, pick(f.orderIds)), pick(f.callbacks.map((c) => c.rawBody))).chain((body) => {
    const right = sign(f.callbackSecret, body);
    const signature = fc
      .oneof(
        fc.constant(undefined),
        pick([
          '',
          'zz',
          `sha256=${right}`,
          right.slice(0, 63),
          `${right}0`,
          `${right} ${right}`,
          sign('not-the-carrier-secret', body),
          sign(f.callbackSecret, `${body} `),
          sign(f.callbackSecret, body.replace('SUCCESS', 'FAILED')),
          ...f.callbacks.map((c) => c.signature),
        ]),
        fc.stringMatching(/^[0-9a-f]{64}$/),
        headerValue,
      )
      .filter((value) => value?.trim().toLowerCase() !== right);
    return signature.map((value) => ({
      ...build(
        callbackRoute,
        { params: {}, query: '', body },
        f,
        [401],
        value === undefined ? {} : { 'X-Signature': value },
      ),
    }));
  });

/** Correctly signed callbacks whose timestamp is out of the window (replays, far-off clocks): 401, nothing applied. */
export const staleCallbacks = (f: Fixtures) =>
  callbackBody(
    f,
    pick(f.orderIds),
    secondsFromNow(fc.oneof(fc.integer({ min: -10 * 365 * 86_400, max: -310 }), fc.integer({ min: 310, max: 86_400 }))),
  ).map((body) =>
    build(callbackRoute, { params: {}, query: '', body }, f, [401], { 'X-Signature': sign(f.callbackSecret, body) }),
  );

/** Correctly signed callbacks naming orders that do not exist: 404, nothing stored. */
export const unknownOrderCallbacks = (f: Fixtures) =>
  callbackBody(
    f,
    fc
      .oneof(
        fc.uuid(),
        hostileString.filter((id) => id.length >= 1 && id.length <= 64 && isStorableText(id)),
      )
      .filter((id) => !f.orderIds.includes(id)),
  ).map((body) => build(callbackRoute, { params: {}, query: '', body }, f, [404]));

/**
 * Correctly signed callbacks for orders that are already decided: real ones
 * replayed as received, or re-addressed to another order's first attempt, at
 * the supplier's path; and made-up ones at the path of orders sent before suppliers.
 */
export const replayedCallbacks = (f: Fixtures) => {
  const toSupplier = ({ body, signature }: { body: string; signature: string }) =>
    build(supplierCallbackRoute, { params: { supplierId: 'sim' }, query: '', body }, f, [200], {
      'X-Signature': signature,
    });
  return fc.oneof(
    pick(f.callbacks).map((c) => toSupplier({ body: c.rawBody, signature: c.signature })),
    fc.tuple(pick(f.callbacks), pick(f.orderIds)).map(([c, orderId]) => {
      const body = JSON.stringify({ ...JSON.parse(c.rawBody), orderId: `${orderId}-1` });
      return toSupplier({ body, signature: sign(f.callbackSecret, body) });
    }),
    callbackBody(f, pick(f.orderIds)).map((body) =>
      build(callbackRoute, { params: {}, query: '', body }, f, [200], { 'X-Signature': sign(f.callbackSecret, body) }),
    ),
  );
};
