import type { MiddlewareHandler } from 'hono';
import { bearerTokenOf, secretChecker } from '../util/bearer.ts';
import { problem } from './errors.ts';

/** Bearer-token guard of the admin API: 401 without a token, 403 with a wrong one (compared in constant time). */
export function adminAuth(adminToken: string): MiddlewareHandler {
  const isAdminToken = secretChecker(adminToken);
  return async (c, next) => {
    const token = bearerTokenOf(c.req.header('authorization'));
    if (token === undefined) {
      c.header('WWW-Authenticate', 'Bearer realm="admin"');
      return problem(c, 401, 'unauthenticated', 'The admin API needs Authorization: Bearer <ADMIN_TOKEN>');
    }
    if (!isAdminToken(token)) return problem(c, 403, 'forbidden', 'Wrong admin token');
    await next();
  };
}
