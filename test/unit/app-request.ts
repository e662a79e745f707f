import type { Hono } from 'hono';

export interface AppRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * Sends requests to an app in-process. A body that is a string or bytes is
 * sent as it is, any other body as JSON; either way with a JSON media type.
 */
export function inProcessClient(app: Pick<Hono, 'request'>) {
  return async (path: string, { method = 'GET', headers = {}, body }: AppRequest = {}) => {
    const raw =
      body === undefined || typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
    const response = await app.request(path, {
      method,
      headers: { ...(raw !== undefined && { 'content-type': 'application/json' }), ...headers },
      body: raw as RequestInit['body'],
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };
}
