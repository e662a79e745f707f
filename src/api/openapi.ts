/**
 * The API described as OpenAPI 3.1, made from the app's own routes and the
 * zod schemas that validate their paths, queries and bodies (so the document
 * cannot drift from what the API accepts).
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { documentedAs, validationOf, type Validates } from './validate.ts';

/** Routes that are the document's own plumbing, not the API. */
const UNDOCUMENTED = /^\/(openapi\.json|docs)/;

const security = (path: string) =>
  path.startsWith('/admin')
    ? [{ adminToken: [] }]
    : ['/orders', '/balance', '/numbers', '/products', '/statements'].some((prefix) => path.startsWith(prefix))
      ? [{ merchantKey: [] }]
      : path.startsWith('/callbacks')
        ? [{ supplierSignature: [] }]
        : [];

const jsonSchema = (schema: Validates['schema']) =>
  z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
    override: ({ zodSchema, jsonSchema: written }) => {
      const replacement = documentedAs(zodSchema);
      if (!replacement) return;
      // What zod wrote of the text the value arrives as goes; what wraps it (a default, say) stays.
      for (const key of ['type', 'pattern', 'format', 'minLength', 'maxLength', 'allOf'])
        delete (written as Record<string, unknown>)[key];
      Object.assign(written, replacement);
    },
  }) as Record<string, unknown>;

/** A body's schema with its examples, which zod leaves out of an input schema when the body has transforms (rates, trimmed text). */
function bodySchema(schema: Validates['schema']) {
  const examples = schema.meta()?.examples;
  return { ...jsonSchema(schema), ...(examples !== undefined && { examples }) };
}

function parameters(validations: Validates[], path: string) {
  const named = (target: 'param' | 'query', where: 'path' | 'query') =>
    validations
      .filter((v) => v.target === target)
      .flatMap((v) => {
        const { properties = {}, required = [] } = jsonSchema(v.schema) as {
          properties?: Record<string, unknown>;
          required?: string[];
        };
        return Object.entries(properties).map(([name, schema]) => ({
          name,
          in: where,
          required: where === 'path' || required.includes(name),
          schema,
        }));
      });
  const fromPath = [...path.matchAll(/:(\w+)/g)].map(([, name]) => name as string);
  const documented = named('param', 'path');
  // A path parameter no validator names (the run of a route without one) is still a required string.
  const undocumented = fromPath
    .filter((name) => !documented.some((p) => p.name === name))
    .map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
  return [...documented, ...undocumented, ...named('query', 'query')];
}

function operation(method: string, path: string, validations: Validates[]) {
  const body = validations.find((v) => v.target === 'json');
  // Rules across fields, which JSON Schema cannot state, are in the descriptions of the schemas that check them.
  const rules = validations.flatMap((v) => v.schema.description ?? []);
  return {
    ...(rules.length > 0 && { description: rules.join(' ') }),
    operationId: `${method.toLowerCase()}${path.replace(/:(\w+)/g, 'By-$1').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
    security: security(path),
    parameters: parameters(validations, path),
    ...(body && {
      requestBody: { required: true, content: { 'application/json': { schema: bodySchema(body.schema) } } },
    }),
    responses: {
      '2XX': { description: 'Done: see the README for each route’s answers' },
      '4XX': {
        description: 'Refused: `{ error, message, fields? }`',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Problem' } } },
      },
    },
  };
}

export function openApiDocument(app: Pick<Hono, 'routes'>) {
  const byRoute = new Map<string, { method: string; path: string; validations: Validates[] }>();
  for (const { method, path, handler } of app.routes) {
    if (method === 'ALL' || UNDOCUMENTED.test(path)) continue;
    const key = `${method} ${path}`;
    const entry = byRoute.get(key) ?? { method, path, validations: [] };
    const validation = validationOf(handler);
    if (validation) entry.validations.push(validation);
    byRoute.set(key, entry);
  }
  const paths: Record<string, Record<string, unknown>> = {};
  for (const { method, path, validations } of byRoute.values()) {
    const openApiPath = path.replace(/:(\w+)/g, '{$1}');
    paths[openApiPath] = { ...paths[openApiPath], [method.toLowerCase()]: operation(method, path, validations) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Recharge orders',
      version: '1',
      description:
        'Phone-credit recharge orders on Temporal: merchant, supplier-callback and admin API. Bodies are JSON objects with exactly the fields each schema names (another is refused by name, as is an unknown query parameter); every string is I-JSON (RFC 7493): one holding NUL or an unpaired surrogate is refused with 400 wherever it appears. A request that breaks a rule across fields, stated in its operation’s description, is answered 422.',
    },
    paths,
    components: {
      securitySchemes: {
        merchantKey: { type: 'http', scheme: 'bearer', description: 'The merchant’s API key' },
        adminToken: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An operator’s own token (npm run admin -- operators add); its role (viewer, operator, admin) decides what it may call, 403 role_forbidden otherwise',
        },
        supplierSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Signature',
          description: 'Hex HMAC-SHA256 of the raw body with the supplier’s callback secret',
        },
      },
      schemas: {
        Problem: {
          type: 'object',
          required: ['error', 'message'],
          properties: {
            error: { type: 'string' },
            message: { type: 'string' },
            fields: {
              type: 'array',
              items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } },
            },
          },
        },
      },
    },
  };
}
