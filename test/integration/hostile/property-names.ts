/**
 * Requests made from the OpenAPI document itself (and the few routes it does
 * not describe, its own plumbing): every operation with one path parameter,
 * query key, query value or JSON key (at the top, inside each object field,
 * or wrapping the whole body) replaced by a name that every JavaScript object
 * inherits, sent with the operation's own credential, and once with the
 * other party's. A route is covered as soon as it is served; its request
 * body's first example is the body the names go into. Each request says the
 * answer it must get: the name reaches the validators and lookups, so 400 for
 * a part it does not fit (naming an unknown key), 404 for an id that fits the
 * pattern and names nothing.
 */
import { sign } from '../../../src/util/signature.ts';
import type { Fixtures } from './routes.ts';
import { PROPERTY_NAMES } from './values.ts';

interface Schema {
  type?: string;
  enum?: unknown[];
  pattern?: string;
  allOf?: Schema[];
  anyOf?: Schema[];
  maxLength?: number;
}
interface Parameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema?: Schema;
}
interface Operation {
  parameters: Parameter[];
  security: Record<string, unknown>[];
  requestBody?: { content: { 'application/json': { schema: { examples?: unknown[] } } } };
}
export interface ApiDocument {
  paths: Record<string, Record<string, Operation>>;
}

export interface NamedRequest {
  /** What was replaced, and by which credential, for the failure message. */
  what: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  expected: number[];
  /** The body or query key the 400 must name as unknown. */
  unknownKey?: string;
}

/** Values that reach each route's handler: the fixtures' ids, and valid query values. */
function validValues(f: Fixtures, template: string): Record<string, string> {
  return {
    orderId: f.ownOrderIds[0] as string,
    merchantId: f.merchantIds[0] as string,
    supplierId: 'sim',
    // The run of a supplier's bill reconciliation, or of the books'.
    runId: (template.includes('/bill-reconciliations/') ? f.billRunIds[0] : f.runIds[0]) as string,
    keyId: f.keyIds[0] as string,
    asset: 'swagger-ui.css',
    merchantOrderNo: f.ownMerchantOrderNos[0] as string,
    phone: '13812345678',
    from: '2026-01-01',
    to: '2026-01-02',
    date: '2026-01-01',
  };
}

/** Whether the document lets `value` through for a parameter of this schema (a name is never a number). */
function admits(schema: Schema | undefined, value: string): boolean {
  if (!schema) return true;
  if (schema.enum) return schema.enum.includes(value);
  if (schema.anyOf) return schema.anyOf.some((option) => admits(option, value));
  if (schema.type === 'integer' || schema.type === 'number') return false;
  const patterns = [schema.pattern, ...(schema.allOf ?? []).map((part) => part.pattern)].filter(
    (p): p is string => p !== undefined,
  );
  return (
    patterns.every((pattern) => new RegExp(pattern, 'u').test(value)) &&
    (schema.maxLength === undefined || [...value].length <= schema.maxLength)
  );
}

/** JSON text of an object with `key` as its first key. */
const withKey = (key: string, object: Record<string, unknown>) =>
  `{${[`${JSON.stringify(key)}:1`, ...Object.entries(object).map(([field, value]) => `${JSON.stringify(field)}:${JSON.stringify(value)}`)].join(',')}}`;

/** The example body with `name` as a key: at the top, around it all, or inside each of its object fields; with the key a 400 must name. */
function bodiesWith(
  example: Record<string, unknown>,
  name: string,
): { what: string; body: string; unknownKey: string }[] {
  const nested = Object.entries(example)
    .filter(([, value]) => typeof value === 'object' && value !== null && !Array.isArray(value))
    .map(([field, value]) => {
      const fields = Object.entries(example).map(
        ([other, v]) =>
          `${JSON.stringify(other)}:${other === field ? withKey(name, value as Record<string, unknown>) : JSON.stringify(v)}`,
      );
      return { what: `JSON key in ${field}`, body: `{${fields.join(',')}}`, unknownKey: `${field}.${name}` };
    });
  return [
    { what: 'JSON key at the top', body: withKey(name, example), unknownKey: name },
    {
      what: 'JSON key around the body',
      body: `{${JSON.stringify(name)}:${JSON.stringify(example)}}`,
      unknownKey: name,
    },
    ...nested,
  ];
}

/** The operation's own credential, and another party's (none for the public routes). */
function credentials(operation: Operation, f: Fixtures) {
  const scheme = Object.keys(operation.security[0] ?? {})[0];
  const merchant = () => ({ authorization: `Bearer ${f.merchantKey}` });
  const admin = () => ({ authorization: `Bearer ${f.adminToken}` });
  if (scheme === 'supplierSignature')
    return { own: (body?: string) => ({ 'X-Signature': sign(f.callbackSecret, body ?? '') }), other: admin };
  if (scheme === 'merchantKey') return { own: merchant, other: admin };
  if (scheme === 'adminToken') return { own: admin, other: merchant };
  return { own: () => ({}), other: undefined };
}

type Variant = Omit<NamedRequest, 'method' | 'headers'>;

function variantsOf(template: string, operation: Operation, f: Fixtures, name: string): Variant[] {
  const valid = validValues(f, template);
  const example = operation.requestBody?.content['application/json'].schema.examples?.[0] as
    Record<string, unknown> | undefined;
  const body = example && JSON.stringify(example);
  const pathParams = operation.parameters.filter((p) => p.in === 'path');
  const queryParams = operation.parameters.filter((p) => p.in === 'query');
  const pathWith = (replaced?: string) =>
    template.replace(/\{(\w+)\}/g, (_, param: string) =>
      encodeURIComponent(param === replaced ? name : (valid[param] ?? 'x')),
    );
  const required = queryParams
    .filter((p) => p.required)
    .map((p) => `${p.name}=${encodeURIComponent(valid[p.name] ?? 'x')}`);
  const query = (...pairs: string[]) => (pairs.length ? `?${pairs.join('&')}` : '');
  const answer = (schema: Schema | undefined) => [admits(schema, name) ? 404 : 400];
  // A signed route cannot check a signature for a supplier it does not have: 401, as for any unsigned request.
  const signed = operation.security.some((scheme) => 'supplierSignature' in scheme);
  return [
    ...pathParams.map((p) => ({
      what: `path parameter ${p.name}`,
      path: pathWith(p.name) + query(...required),
      body,
      expected: signed ? [401] : answer(p.schema),
    })),
    {
      what: 'query key',
      path: pathWith() + query(...required, `${encodeURIComponent(name)}=1`),
      body,
      expected: [400],
      unknownKey: name,
    },
    ...queryParams.map((p) => ({
      what: `query value of ${p.name}`,
      path:
        pathWith() +
        query(...required.filter((pair) => !pair.startsWith(`${p.name}=`)), `${p.name}=${encodeURIComponent(name)}`),
      body,
      expected: answer(p.schema),
    })),
    ...(example
      ? bodiesWith(example, name).map((variant) => ({
          ...variant,
          path: pathWith() + query(...required),
          expected: [400],
        }))
      : []),
  ];
}

/** The served routes the document leaves out (its own plumbing), as operations with no credential and unchecked path parameters. */
function undocumented(
  served: { method: string; path: string }[],
  document: ApiDocument,
): [string, string, Operation][] {
  return served
    .map(({ method, path }) => [path.replace(/:(\w+)/g, '{$1}'), method.toLowerCase()] as const)
    .filter(([template, method]) => !document.paths[template]?.[method])
    .map(([template, method]) => [
      template,
      method,
      {
        security: [],
        parameters: [...template.matchAll(/\{(\w+)\}/g)].map(([, param]) => ({
          name: param as string,
          in: 'path' as const,
          required: true,
        })),
      },
    ]);
}

export function propertyNameRequests(
  document: ApiDocument,
  served: { method: string; path: string }[],
  f: Fixtures,
): NamedRequest[] {
  const operations: [string, string, Operation][] = [
    ...Object.entries(document.paths).flatMap(([template, byMethod]) =>
      Object.entries(byMethod).map(([method, operation]): [string, string, Operation] => [template, method, operation]),
    ),
    ...undocumented(served, document),
  ];
  return operations.flatMap(([template, method, operation]) => {
    if (operation.requestBody && !operation.requestBody.content['application/json'].schema.examples?.length) {
      throw new Error(`${method.toUpperCase()} ${template}: its request body has no example in the document`);
    }
    const { own, other } = credentials(operation, f);
    return PROPERTY_NAMES.flatMap((name) =>
      variantsOf(template, operation, f, name).flatMap((variant) => {
        const headers = (credential: Record<string, string>) => ({
          ...credential,
          ...(variant.body !== undefined && { 'content-type': 'application/json' }),
        });
        const asOwn = {
          ...variant,
          what: `${name} as ${variant.what}`,
          method: method.toUpperCase(),
          headers: headers(own(variant.body)),
        };
        if (!other) return [asOwn];
        const { unknownKey: _named, ...rest } = asOwn;
        return [
          asOwn,
          {
            ...rest,
            what: `${asOwn.what}, another party's credential`,
            headers: headers(other()),
            expected: [401, 403],
          },
        ];
      }),
    );
  });
}
