import type { MiddlewareHandler } from 'hono';
import { isStorableText } from '../util/storable-text.ts';
import { invalidRequest, problem } from './errors.ts';

/** The media types Hono's json validator reads (application/json, application/<x>+json); it treats any other as an empty body. */
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;
const utf8 = new TextDecoder('utf-8', { fatal: true });

type Node = { value: unknown; key?: string; parent?: Node };

function pathOf(node: Node): string {
  const keys: string[] = [];
  for (let n: Node | undefined = node; n?.key !== undefined; n = n.parent)
    keys.push(isStorableText(n.key) ? n.key : JSON.stringify(n.key));
  return keys.reverse().join('.') || '(body)';
}

/**
 * Where in a parsed document the first string PostgreSQL cannot store is
 * (a value or a key), or undefined. A loop, not recursion: 16 KiB of
 * brackets nests 8,000 deep.
 */
function unstorableAt(document: unknown): string | undefined {
  const pending: Node[] = [{ value: document }];
  for (let node = pending.pop(); node; node = pending.pop()) {
    const { value } = node;
    if (typeof value === 'string' && !isStorableText(value)) return pathOf(node);
    if (typeof value !== 'object' || value === null) continue;
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const childNode = { value: child, key, parent: node };
      if (!isStorableText(key)) return pathOf(childNode);
      pending.push(childNode);
    }
  }
  return undefined;
}

/**
 * Every request body this API takes is JSON, checked here once for all
 * routes, before any handler or database call: 415 for another media type,
 * 400 for bytes that are not UTF-8, for malformed JSON and for a string
 * holding NUL or a lone surrogate anywhere in it (PostgreSQL text cannot
 * hold them, and a zod refinement on each string field would be easy to
 * forget on the next one).
 */
export function jsonBodyGuard(): MiddlewareHandler {
  return async (c, next) => {
    // Asked first: reading the raw body makes the node adapter build a whole Fetch Request, which merchants' polls would pay for.
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || !c.req.raw.body) return next();
    const bytes = await c.req.arrayBuffer();
    if (bytes.byteLength === 0) return next();
    const mediaType = (c.req.header('content-type') ?? '').split(';')[0]?.trim() ?? '';
    if (!JSON_MEDIA_TYPE.test(mediaType))
      return problem(c, 415, 'unsupported_media_type', 'Send the body as JSON with Content-Type: application/json');
    let text: string;
    let document: unknown;
    try {
      text = utf8.decode(bytes);
    } catch {
      return invalidRequest(c, [{ field: '(body)', message: 'is not valid UTF-8' }]);
    }
    try {
      document = JSON.parse(text);
    } catch {
      return invalidRequest(c, [{ field: '(body)', message: 'malformed JSON' }]);
    }
    const field = unstorableAt(document);
    if (field !== undefined)
      return invalidRequest(c, [{ field, message: 'must not contain NUL (\\u0000) or unpaired surrogates' }]);
    // Handlers read the same bytes again from Hono's per-request body cache.
    await next();
  };
}
