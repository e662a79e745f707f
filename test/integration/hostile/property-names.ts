/**
 * Requests made from the OpenAPI document itself: every documented
 * operation, sent as a merchant, as an admin and (callbacks) correctly signed,
 * with one path parameter, query key, query value or JSON key (at the top,
 * inside each object field, or wrapping the whole body) replaced by a name
 * that every JavaScript object inherits. A route is covered as soon as it is
 * documented; its request body's first example is the body the names go into.
 */
import { sign } from '../../../src/util/signature.ts';
import type { Fixtures } from './routes.ts';
import { PROPERTY_NAMES } from './values.ts';

interface Parameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
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
  /** What was replaced, for the failure message. */
  what: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** Values that reach each route's handler: the fixtures' ids, and valid query values. */
function validValues(f: Fixtures): Record<string, string> {
  return {
    orderId: f.ownOrderIds[0] as string,
    merchantId: f.merchantIds[0] as string,
    supplierId: 'sim',
    runId: f.runIds[0] as string,
    merchantOrderNo: f.ownMerchantOrderNos[0] as string,
    from: '2026-01-01',
    to: '2026-01-02',
  };
}

/** JSON text of an object with `key` as its first key. */
const withKey = (key: string, object: Record<string, unknown>) =>
  `{${[`${JSON.stringify(key)}:1`, ...Object.entries(object).map(([field, value]) => `${JSON.stringify(field)}:${JSON.stringify(value)}`)].join(',')}}`;

/** The example body as JSON text with `name` as a key: at the top, around it all, or inside each of its object fields. */
function bodiesWith(example: Record<string, unknown>, name: string): [string, string][] {
  const nested = Object.entries(example)
    .filter(([, value]) => typeof value === 'object' && value !== null && !Array.isArray(value))
    .map(([field, value]): [string, string] => {
      const fields = Object.entries(example).map(
        ([other, v]) => `${JSON.stringify(other)}:${other === field ? withKey(name, value as Record<string, unknown>) : JSON.stringify(v)}`,
      );
      return [`key in ${field}`, `{${fields.join(',')}}`];
    });
  return [['key at the top', withKey(name, example)], ['key around the body', `{${JSON.stringify(name)}:${JSON.stringify(example)}}`], ...nested];
}

export function propertyNameRequests(document: ApiDocument, f: Fixtures): NamedRequest[] {
  const valid = validValues(f);
  const requests: NamedRequest[] = [];
  for (const [template, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const signed = operation.security.some((scheme) => 'supplierSignature' in scheme);
      const credentials = signed
        ? [(body: string | undefined) => ({ 'X-Signature': sign(f.callbackSecret, body ?? '') })]
        : [() => ({ authorization: `Bearer ${f.merchantKey}` }), () => ({ authorization: `Bearer ${f.adminToken}` })];
      const example = operation.requestBody?.content['application/json'].schema.examples?.[0] as Record<string, unknown> | undefined;
      if (operation.requestBody && !example) throw new Error(`${method.toUpperCase()} ${template}: its request body has no example in the document`);
      const pathParams = operation.parameters.filter((p) => p.in === 'path');
      const queryParams = operation.parameters.filter((p) => p.in === 'query');
      const pathWith = (replaced?: string, name?: string) =>
        template.replace(/\{(\w+)\}/g, (_, param: string) => encodeURIComponent(param === replaced ? (name as string) : (valid[param] ?? 'x')));
      const requiredQuery = queryParams.filter((p) => p.required).map((p) => `${p.name}=${encodeURIComponent(valid[p.name] ?? 'x')}`);
      const queryWith = (...pairs: string[]) => (pairs.length ? `?${pairs.join('&')}` : '');
      const exampleBody = example && JSON.stringify(example);

      for (const name of PROPERTY_NAMES) {
        const variants: Omit<NamedRequest, 'method' | 'headers'>[] = [
          ...pathParams.map((p) => ({ what: `path parameter ${p.name}`, path: pathWith(p.name, name) + queryWith(...requiredQuery), body: exampleBody })),
          { what: 'query key', path: pathWith() + queryWith(...requiredQuery, `${encodeURIComponent(name)}=1`), body: exampleBody },
          ...queryParams.map((p) => ({
            what: `query value of ${p.name}`,
            path: pathWith() + queryWith(...requiredQuery.filter((pair) => !pair.startsWith(`${p.name}=`)), `${p.name}=${encodeURIComponent(name)}`),
            body: exampleBody,
          })),
          ...(example ? bodiesWith(example, name).map(([what, body]) => ({ what: `JSON ${what}`, path: pathWith() + queryWith(...requiredQuery), body })) : []),
        ];
        for (const variant of variants) {
          for (const credential of credentials) {
            const headers = { ...credential(variant.body), ...(variant.body !== undefined && { 'content-type': 'application/json' }) };
            requests.push({ ...variant, what: `${name} as ${variant.what}`, method: method.toUpperCase(), headers });
          }
        }
      }
    }
  }
  return requests;
}
