import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { validationOf } from '../../../src/api/validate.ts';
import { fakeApp } from './fake-app.ts';

type Document = {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      {
        requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown> } }> };
        parameters: { name: string; in: string }[];
        description?: string;
      }
    >
  >;
};

const operationsOf = (document: Document) =>
  Object.entries(document.paths)
    .flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    )
    .sort();

/** The `| \`METHOD /path\` |` rows of the merchants' API page (docs/api.md). */
async function documentedApiRows(): Promise<string[]> {
  const page = await readFile(new URL('../../../docs/api.md', import.meta.url), 'utf8');
  return [...page.matchAll(/^\| `(GET|POST|PATCH|PUT|DELETE) ([^`?]+)[^`]*`/gm)]
    .map(([, method, path]) => `${method} ${path}`)
    .sort();
}

describe('GET /openapi.json and /docs', () => {
  it('describes every route the API serves, with the schemas that validate it', async () => {
    const api = fakeApp();
    const { status, body } = await api.request('/openapi.json');
    expect(status).toBe(200);
    const document = body as Document;
    expect(document.openapi).toBe('3.1.0');
    const served = [
      ...new Set(
        api.app.routes
          .filter((r) => r.method !== 'ALL' && !/^\/(openapi\.json|docs)/.test(r.path))
          .map((r) => `${r.method} ${r.path}`),
      ),
    ].sort();
    expect(operationsOf(document)).toEqual(served);
    const submit = document.paths['/orders']?.post;
    expect(Object.keys(submit?.requestBody?.content['application/json']?.schema.properties ?? {})).toEqual([
      'merchantOrderNo',
      'phone',
      'amount',
      'speed',
      'notifyUrl',
    ]);
    // Every reason an order can be refused, by its code.
    for (const code of [
      'invalid_request',
      'insufficient_balance',
      'merchant_order_no_conflict',
      'unknown_segment',
      'product_unavailable',
      'number_blocked',
      'number_limit_exceeded',
    ])
      expect(submit?.description).toContain(`\`${code}\``);
    expect(document.paths['/admin/orders/{orderId}/resolve']?.post?.parameters).toEqual([
      expect.objectContaining({ name: 'orderId', in: 'path' }),
    ]);
  });

  it('keeps the API page’s table (docs/api.md) and the document in step', async () => {
    const { body } = await fakeApp().request('/openapi.json');
    expect(await documentedApiRows()).toEqual(operationsOf(body as Document));
  });

  it('serves the interactive reference from the API itself, with no outside address (it works offline)', async () => {
    const { app } = fakeApp();
    const page = await (await app.request('/docs')).text();
    expect(page).toContain('/openapi.json');
    expect(page).not.toMatch(/https?:\/\//);
    const bundle = await app.request('/docs/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toContain('javascript');
    expect((await app.request('/docs/elsewhere.js')).status).toBe(404);
  });
});

type Schema = {
  type?: string;
  enum?: unknown[];
  pattern?: string;
  allOf?: Schema[];
  anyOf?: Schema[];
  format?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: unknown;
  items?: Schema;
  examples?: unknown[];
  minProperties?: number;
  not?: unknown;
  multipleOf?: number;
  minimum?: number;
  maximum?: number;
};
type Operation = {
  description?: string;
  parameters: { name: string; in: string; schema: Schema }[];
  requestBody?: { content: { 'application/json': { schema: Schema } } };
};

async function operations(): Promise<[string, Operation][]> {
  const { body } = await fakeApp().request('/openapi.json');
  return Object.entries((body as { paths: Record<string, Record<string, Operation>> }).paths).flatMap(
    ([path, byMethod]) =>
      Object.entries(byMethod).map(([method, operation]): [string, Operation] => [
        `${method.toUpperCase()} ${path}`,
        operation,
      ]),
  );
}
const operation = async (key: string) => (await operations()).find(([k]) => k === key)?.[1] as Operation;
const bodyOf = async (key: string) => (await operation(key)).requestBody?.content['application/json'].schema as Schema;

/** Every schema inside one, with where it is. */
function* walk(schema: Schema, at: string): Generator<[string, Schema]> {
  yield [at, schema];
  for (const [name, child] of Object.entries(schema.properties ?? {})) yield* walk(child, `${at}.${name}`);
  if (schema.items) yield* walk(schema.items, `${at}[]`);
  for (const child of [...(schema.anyOf ?? []), ...(schema.allOf ?? [])]) yield* walk(child, at);
}

describe('the document states every rule the API enforces', () => {
  it('says which values each field takes: enums, bounds, multiples, non-empty changes, no zero adjustment', async () => {
    expect((await bodyOf('POST /orders')).properties?.amount).toMatchObject({
      enum: [10, 20, 30, 50, 100, 200, 300, 500],
    });
    expect((await bodyOf('POST /admin/suppliers')).properties?.faceValuesYuan?.items).toMatchObject({
      enum: [10, 20, 30, 50, 100, 200, 300, 500],
    });
    expect((await bodyOf('POST /admin/merchants')).properties?.rates?.properties?.CMCC).toMatchObject({
      minimum: 0.5,
      maximum: 2,
      multipleOf: 0.000001,
    });
    const supplierChange = await bodyOf('PATCH /admin/suppliers/{supplierId}');
    expect(supplierChange).toMatchObject({ minProperties: 1 });
    expect(supplierChange.properties?.rates).toMatchObject({ minProperties: 1 });
    expect((await bodyOf('POST /admin/merchants/{merchantId}/adjustments')).properties?.amountFen).toMatchObject({
      not: { const: 0 },
    });
    for (const key of [
      'GET /admin/orders',
      'GET /admin/merchants/{merchantId}/ledger',
      'GET /admin/suppliers/{supplierId}/ledger',
    ]) {
      expect((await operation(key)).parameters.find((p) => p.name === 'limit')?.schema, key).toEqual({
        type: 'integer',
        minimum: 1,
        maximum: 500,
        default: expect.any(Number),
      });
    }
  });

  it('states the rules across fields in words', async () => {
    expect((await operation('GET /admin/reports/margin')).description).toContain('`to` must be after `from`');
    expect((await operation('POST /admin/suppliers')).description).toContain('needs its rate');
  });

  it('bounds every string it takes by a pattern, enum or format, and refuses unknown fields in every body', async () => {
    for (const [key, op] of await operations()) {
      const body = op.requestBody?.content['application/json'].schema;
      const schemas = [
        ...op.parameters.map((p): [string, Schema] => [p.name, p.schema]),
        ...(body ? walk(body, '(body)') : []),
      ];
      for (const [at, schema] of schemas.flatMap(([name, s]) => [...walk(s, name)])) {
        if (schema.type === 'string')
          expect(schema.pattern ?? schema.enum ?? schema.format ?? schema.allOf, `${key} ${at}`).toBeDefined();
        if (schema.type === 'object') expect(schema.additionalProperties, `${key} ${at}`).toBe(false);
      }
    }
  });

  it('shows an example of every body, and each example is a body the API takes', async () => {
    const { app } = fakeApp();
    const validators = app.routes.flatMap(({ method, path, handler }) => {
      const validation = validationOf(handler);
      return validation?.target === 'json'
        ? [[`${method} ${path.replace(/:(\w+)/g, '{$1}')}`, validation.schema] as const]
        : [];
    });
    expect(validators.length).toBeGreaterThan(10);
    for (const [key, schema] of validators) {
      const examples = (await bodyOf(key)).examples ?? [];
      expect(examples.length, key).toBeGreaterThan(0);
      for (const example of examples)
        expect(schema.safeParse(example).error, `${key} ${JSON.stringify(example)}`).toBeUndefined();
    }
  });
});
