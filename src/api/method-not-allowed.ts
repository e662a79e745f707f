import type { Context, Hono } from 'hono';
import { notFound, problem } from './errors.ts';

/** `/orders/:orderId` (or `/docs/*`) as a pattern of whole paths. */
const pathPattern = (path: string) =>
  new RegExp(
    `^${path
      .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
      .replace(/:\w+/g, '[^/]+')
      .replace(/\*/g, '.*')}$`,
  );

/**
 * The answer when no route serves a request: 405 with `Allow` when the path
 * is served with other methods (HTTP's rule), `204` with `Allow` to OPTIONS,
 * 404 when nothing is served there. The routes are read at the first miss,
 * once the app is complete.
 */
export function unrouted(app: Pick<Hono, 'routes'>) {
  let served: { pattern: RegExp; method: string }[] | undefined;
  const methodsAt = (path: string) => {
    served ??= app.routes
      .filter((route) => route.method !== 'ALL')
      .map((route) => ({ pattern: pathPattern(route.path), method: route.method }));
    const methods = new Set(served.filter(({ pattern }) => pattern.test(path)).map(({ method }) => method));
    if (methods.has('GET')) methods.add('HEAD');
    return methods.size === 0 ? [] : [...methods, 'OPTIONS'];
  };
  return (c: Context) => {
    const allowed = methodsAt(c.req.path);
    if (allowed.length === 0) return notFound(c);
    c.header('Allow', allowed.join(', '));
    if (c.req.method === 'OPTIONS') return c.body(null, 204);
    return problem(c, 405, 'method_not_allowed', `${c.req.path} answers ${allowed.join(', ')}, not ${c.req.method}`);
  };
}
