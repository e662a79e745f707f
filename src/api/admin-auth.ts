import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { problem } from './errors.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Bearer-token guard of the admin API: 401 without a token, 403 with a wrong one (compared in constant time). */
export function adminAuth(adminToken: string): MiddlewareHandler {
  const expected = digest(adminToken);
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      c.header('WWW-Authenticate', 'Bearer realm="admin"');
      return problem(c, 401, 'unauthenticated', 'The admin API needs Authorization: Bearer <ADMIN_TOKEN>');
    }
    if (!timingSafeEqual(digest(match[1] as string), expected)) return problem(c, 403, 'forbidden', 'Wrong admin token');
    await next();
  };
}
