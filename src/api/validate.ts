import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import type { ZodType } from 'zod';
import { fieldProblems, invalidRequest } from './errors.ts';

/** zod validation of one request part; a failure is a 400 naming each field at fault. */
export function validate<Target extends keyof ValidationTargets, Schema extends ZodType>(target: Target, schema: Schema) {
  return zValidator(target, schema, (result, c) => {
    if (!result.success) return invalidRequest(c, fieldProblems(result.error));
  });
}
