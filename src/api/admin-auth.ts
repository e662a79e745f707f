import type { MiddlewareHandler } from 'hono';
import type { OperatorRepository } from '../db/operator-repository.ts';
import { hashToken } from '../operators/tokens.ts';
import { roleAllows, roleNeededFor, type AuthenticatedOperator } from '../operators/roles.ts';
import { bearerTokenOf, secretChecker } from '../util/bearer.ts';
import { problem } from './errors.ts';

/** What the admin routes find in their context: the operator the token belongs to, whom audit records name. */
export type AdminEnv = { Variables: { operator: AuthenticatedOperator } };

/** Who ADMIN_TOKEN, the development bootstrap, acts as (production refuses the setting). */
export const BOOTSTRAP_OPERATOR: AuthenticatedOperator = { name: 'bootstrap-admin', role: 'admin' };

/**
 * The admin API's guard: the bearer token names an operator (401 without a
 * token, 403 with one no active operator holds), whose role must allow the
 * request (403 naming the role it needs). The operator is then the
 * context's `operator`, and every record the request writes names them.
 */
export function adminAuth({
  operators,
  bootstrapToken,
}: {
  operators: Pick<OperatorRepository, 'findByTokenHash'>;
  /** ADMIN_TOKEN in development: acts as BOOTSTRAP_OPERATOR, to add the first operators. */
  bootstrapToken?: string | undefined;
}): MiddlewareHandler<AdminEnv> {
  const isBootstrapToken = bootstrapToken === undefined ? () => false : secretChecker(bootstrapToken);
  return async (c, next) => {
    const token = bearerTokenOf(c.req.header('authorization'));
    if (token === undefined) {
      c.header('WWW-Authenticate', 'Bearer realm="admin"');
      return problem(c, 401, 'unauthenticated', 'The admin API needs Authorization: Bearer <operator token>');
    }
    const operator = isBootstrapToken(token) ? BOOTSTRAP_OPERATOR : await operators.findByTokenHash(hashToken(token));
    if (!operator) return problem(c, 403, 'forbidden', 'No active operator holds this token');
    const needed = roleNeededFor(c.req.method, c.req.path);
    if (!roleAllows(operator.role, needed)) {
      return problem(
        c,
        403,
        'role_forbidden',
        `${operator.name} is a ${operator.role}; ${c.req.method} ${c.req.path} needs the ${needed} role`,
      );
    }
    c.set('operator', operator);
    await next();
  };
}
