import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporalCliPath } from '../../src/dev/temporal-binaries.ts';
import { orderStateQuery } from '../../src/shared/order-workflow.ts';
import { createCodecServerApp } from '../../src/codec-server/app.ts';
import { AesGcmPayloadCodec, parseCodecKeys } from '../../src/temporal/payload-codec.ts';
import { TEST_CODEC_KEYS_ENV, TEST_CODEC_SERVER_TOKEN, listen, startStack, type Stack } from './harness.ts';

/**
 * Every payload of an order is encrypted before it reaches Temporal: what the
 * server stores, and what `temporal workflow show` and the Web UI show
 * without the codec server, holds no phone number; through the codec server
 * (the token, or a trusted Web UI's page) it reads as before.
 */
const PHONE = '13987654321';
const TOKEN = 'codec-server-test-token';
const UI = 'http://127.0.0.1:8233';

let stack: Stack;
/** A codec server that also trusts one Web UI origin (the stack's trusts none). */
let codecServer: Awaited<ReturnType<typeof listen>>;
let workflowId: string;

/** The order's input as the CLI shows it: its payload's encoding and data, decoded from base64. */
function orderInput(history: string) {
  const [started] = (
    JSON.parse(history) as {
      events: {
        workflowExecutionStartedEventAttributes: {
          input: { payloads: { metadata: { encoding: string }; data: string }[] };
        };
      }[];
    }
  ).events;
  const [payload] = started!.workflowExecutionStartedEventAttributes.input.payloads;
  return {
    encoding: Buffer.from(payload!.metadata.encoding, 'base64').toString(),
    data: Buffer.from(payload!.data, 'base64').toString('latin1'),
  };
}

const show = async (...extra: string[]) =>
  (
    await promisify(execFile)(temporalCliPath(), [
      'workflow',
      'show',
      '--workflow-id',
      workflowId,
      '--address',
      stack.env.address,
      '--output',
      'json',
      ...extra,
    ])
  ).stdout;

beforeAll(async () => {
  stack = await startStack();
  codecServer = await listen(
    createCodecServerApp({
      codec: new AesGcmPayloadCodec(parseCodecKeys(TEST_CODEC_KEYS_ENV)),
      token: TOKEN,
      uiOrigins: [UI],
    }),
  );
  const response = await fetch(`${stack.apiUrl}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...stack.merchant.headers },
    body: JSON.stringify({ merchantOrderNo: `ENC-${randomUUID().slice(0, 8)}`, phone: PHONE, amount: 50 }),
  });
  const { orderId } = (await response.json()) as { orderId: string };
  const handle = await stack.workflowOf(orderId);
  workflowId = handle.workflowId;
  // The client (with the codec) reads the order as ever.
  expect((await handle.query(orderStateQuery)).orderId).toBe(orderId);
}, 60_000);

afterAll(async () => {
  await codecServer?.close();
  await stack?.stop();
});

describe('encrypted payloads', () => {
  it('keeps the phone number out of the history as the server, the CLI and the Web UI get it', async () => {
    const history = await show();
    expect(orderInput(history).encoding).toBe('binary/encrypted');
    expect(orderInput(history).data).not.toContain(PHONE);
    expect(history).not.toContain(PHONE);
  });

  it('shows it decoded through the codec server, to the CLI with the codec server token', async () => {
    const decoded = await show('--codec-endpoint', stack.codecUrl, '--codec-auth', `Bearer ${TEST_CODEC_SERVER_TOKEN}`);
    expect(orderInput(decoded).encoding).toBe('json/plain');
    expect(JSON.parse(orderInput(decoded).data)).toMatchObject({ phone: PHONE, amountYuan: 50 });
    await expect(
      show('--codec-endpoint', stack.codecUrl, '--codec-auth', 'Bearer wrong-token-wrong-token'),
    ).rejects.toThrow();
  });

  it('answers only the token or a trusted Web UI page, with CORS for that page', async () => {
    const body = JSON.stringify({ payloads: [] });
    const post = (headers: Record<string, string>) =>
      fetch(`${codecServer.url}/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    expect((await post({})).status).toBe(401);
    expect((await post({ origin: 'https://evil.example' })).status).toBe(401);
    const fromUi = await post({ origin: UI, 'x-namespace': 'default' });
    expect(fromUi.status).toBe(200);
    expect(fromUi.headers.get('access-control-allow-origin')).toBe(UI);
    const preflight = await fetch(`${codecServer.url}/decode`, {
      method: 'OPTIONS',
      headers: {
        origin: UI,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-namespace',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-namespace');
  });
});
