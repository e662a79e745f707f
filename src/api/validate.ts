import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import type { ZodType } from 'zod';
import { fieldProblems, invalidCombination, invalidRequest } from './errors.ts';

/** What a validator checks, kept on it so the OpenAPI document is made from the very schemas that validate. */
export const VALIDATES = Symbol('validates');
export interface Validates {
  target: keyof ValidationTargets;
  schema: ZodType;
}

/**
 * A rule across fields (`to` after `from`, a rate for every carrier served)
 * cannot be written in JSON Schema: it is stated in the schema's description,
 * and a request that breaks only such rules is answered 422, not 400, since
 * the document calls it well formed. Refinements marked with this are those rules.
 */
export const ACROSS_FIELDS = { params: { acrossFields: true } } as const;
const isAcrossFields = (issue: { code: string; params?: Record<string, unknown> }) =>
  issue.code === 'custom' && issue.params?.acrossFields === true;

/** zod validation of one request part; a failure is a 400 naming each field at fault (422 if only rules across fields failed). */
export function validate<Target extends keyof ValidationTargets, Schema extends ZodType>(
  target: Target,
  schema: Schema,
) {
  const middleware = zValidator(target, schema, (result, c) => {
    if (result.success) return;
    const problems = fieldProblems(result.error);
    return result.error.issues.every(isAcrossFields) ? invalidCombination(c, problems) : invalidRequest(c, problems);
  });
  return Object.assign(middleware, { [VALIDATES]: { target, schema } satisfies Validates });
}

/** The validation a route handler does, if it is a validator. */
export const validationOf = (handler: unknown): Validates | undefined =>
  (handler as { [VALIDATES]?: Validates } | undefined)?.[VALIDATES];

/**
 * JSON Schemas that replace what zod would write for a schema: for a query
 * parameter that arrives as text but means an integer, say. Kept by schema
 * instance: wrap a registered schema (`.optional()`, `.default()`), do not
 * derive a new one from it (`.describe()`, `.meta()` copy it, unregistered).
 */
const documented = new WeakMap<object, Record<string, unknown>>();

export function documentAs<Schema extends ZodType>(schema: Schema, jsonSchema: Record<string, unknown>): Schema {
  documented.set(schema, jsonSchema);
  return schema;
}

export const documentedAs = (schema: object) => documented.get(schema);
