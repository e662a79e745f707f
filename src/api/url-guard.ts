import type { MiddlewareHandler } from 'hono';
import { isStorableText } from '../util/storable-text.ts';
import { invalidRequest } from './errors.ts';

/** Decodes a percent-encoded path or query; undefined if it is not valid UTF-8 or holds text PostgreSQL cannot store. */
function decodedText(encoded: string): string | undefined {
  try {
    const decoded = decodeURIComponent(encoded);
    return isStorableText(decoded) ? decoded : undefined;
  } catch {
    return undefined; // malformed percent-encoding, or bytes that are not UTF-8 (%FF, %C3%28, an encoded surrogate)
  }
}

/**
 * Refuses, before routing, a URL whose path or query is not valid
 * percent-encoded UTF-8 or decodes to NUL: left alone, Hono passes the raw
 * or decoded text on and PostgreSQL answers with an error (a 500).
 */
export function urlGuard(): MiddlewareHandler {
  return async (c, next) => {
    const url = new URL(c.req.url);
    for (const [field, encoded] of [
      ['path', url.pathname],
      ['query', url.search.slice(1)],
    ] as const) {
      if (decodedText(encoded) === undefined)
        return invalidRequest(c, [{ field, message: 'must be valid percent-encoded UTF-8 without NUL' }]);
    }
    await next();
  };
}
