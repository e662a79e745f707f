import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import type { ZodType } from 'zod';
import { fieldProblems, invalidRequest } from './errors.ts';

/** What a validator checks, kept on it so the OpenAPI document is made from the very schemas that validate. */
export const VALIDATES = Symbol('validates');
export interface Validates {
  target: keyof ValidationTargets;
  schema: ZodType;
}

/** zod validation of one request part; a failure is a 400 naming each field at fault. */
export function validate<Target extends keyof ValidationTargets, Schema extends ZodType>(target: Target, schema: Schema) {
  const middleware = zValidator(target, schema, (result, c) => {
    if (!result.success) return invalidRequest(c, fieldProblems(result.error));
  });
  return Object.assign(middleware, { [VALIDATES]: { target, schema } satisfies Validates });
}

/** The validation a route handler does, if it is a validator. */
export const validationOf = (handler: unknown): Validates | undefined => (handler as { [VALIDATES]?: Validates } | undefined)?.[VALIDATES];
