/**
 * The codec server: the `/encode` and `/decode` endpoints that Temporal's Web
 * UI and CLI (`--codec-endpoint`) call to show the platform's encrypted
 * payloads decoded. It decrypts personal data (phone numbers), so it answers
 * only an operator: a request carrying `Authorization: Bearer
 * <CODEC_SERVER_TOKEN>` (the CLI's `--codec-auth`), or one from a Web UI
 * origin it is told to trust (`CODEC_UI_ORIGINS`; a browser always sends the
 * page's true origin, so no other web page can use it, but that is no
 * defence against other clients: deploy it where only operators reach it).
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { z } from 'zod';
import { bearerTokenOf, secretChecker } from '../util/bearer.ts';

/** A payload as the Web UI and CLI send it: proto3 JSON, bytes in base64. */
const jsonPayload = z.object({
  metadata: z.record(z.string(), z.base64()).nullish(),
  data: z.base64().nullish(),
});
// Proto3 JSON leaves an empty list out: the CLI sends {} when it has no payloads.
const codecRequest = z.object({ payloads: z.array(jsonPayload).max(10_000).default([]) });
type JsonPayload = z.infer<typeof jsonPayload>;

const fromJson = ({ metadata, data }: JsonPayload): Payload => ({
  metadata: metadata
    ? Object.fromEntries(Object.entries(metadata).map(([key, value]) => [key, Buffer.from(value, 'base64')]))
    : {},
  ...(data ? { data: Buffer.from(data, 'base64') } : {}),
});

const toJson = ({ metadata, data }: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(metadata ?? {}).map(([key, value]) => [key, Buffer.from(value ?? []).toString('base64')]),
  ),
  ...(data ? { data: Buffer.from(data).toString('base64') } : {}),
});

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** Bearer token for the CLI and scripts. */
  token: string;
  /** Web UI origins whose pages may call it (CORS) without the token, e.g. http://127.0.0.1:8233. */
  uiOrigins: string[];
}

function operatorOnly({ token, uiOrigins }: CodecServerOptions): MiddlewareHandler {
  const isToken = secretChecker(token);
  return async (c, next) => {
    const given = bearerTokenOf(c.req.header('authorization'));
    const trustedPage = uiOrigins.includes(c.req.header('origin') ?? '');
    if (!(given !== undefined && isToken(given)) && !trustedPage) {
      return c.json(
        {
          error: 'unauthenticated',
          message:
            'The codec server needs Authorization: Bearer <CODEC_SERVER_TOKEN>, or a request from a trusted Web UI',
        },
        401,
      );
    }
    await next();
  };
}

export function createCodecServerApp(options: CodecServerOptions) {
  const { codec } = options;
  const convert = (direction: 'encode' | 'decode') =>
    async function handler(c: Context) {
      const parsed = codecRequest.safeParse(await c.req.json().catch(() => undefined));
      if (!parsed.success)
        return c.json(
          { error: 'invalid_request', message: 'expected {"payloads": [{"metadata": {...}, "data": "<base64>"}]}' },
          400,
        );
      try {
        const payloads = await codec[direction](parsed.data.payloads.map(fromJson));
        return c.json({ payloads: payloads.map(toJson) });
      } catch (error) {
        // An unknown key id or a tampered payload: the caller's data, not this server, is at fault.
        return c.json({ error: 'undecodable', message: (error as Error).message }, 422);
      }
    };
  return new Hono()
    .get('/healthz', (c) => c.json({ ok: true }))
    .use(
      '/*',
      cors({
        origin: options.uiOrigins,
        allowMethods: ['POST', 'OPTIONS'],
        allowHeaders: ['content-type', 'x-namespace', 'authorization'],
        credentials: true,
        maxAge: 600,
      }),
    )
    .use('/*', operatorOnly(options))
    .use(
      '/*',
      bodyLimit({
        maxSize: 8 * 1024 * 1024,
        onError: (c) => c.json({ error: 'too_large', message: 'at most 8 MiB per request' }, 413),
      }),
    )
    .post('/encode', convert('encode'))
    .post('/decode', convert('decode'));
}
