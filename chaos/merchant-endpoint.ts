import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import seedrandom from 'seedrandom';
import { verify } from '../src/util/signature.ts';

/** How the run's merchant endpoint answers deliveries (each roll per order and delivery, seeded). */
export const MERCHANT_BEHAVIOUR = {
  /** Answered 5xx: not taken, to be sent again. */
  failureRate: 0.3,
  /** Never answered: the sender times out and sends it again. */
  hangRate: 0.1,
  /** Taken, but the answer is lost (the connection is cut before it): the sender sends it again, a duplicate. */
  lostAnswerRate: 0.1,
  /**
   * After this many deliveries of one order in a row not taken, the next is
   * taken: the worker's retries grow to an hour apart, and the run must not
   * wait hours for the 0.4% of orders that would fail more often.
   */
  maxFailuresInARow: 6,
} as const;

export type DeliveryAnswer = 'taken' | 'failed' | 'hung' | 'answer-lost';

/** One POST the merchant endpoint received, as it saw it. */
export interface Delivery {
  /** The merchant whose notifyUrl it was sent to (its path). */
  merchantId: string;
  orderId: string;
  status: string;
  receivedAt: number;
  signatureValid: boolean;
  /** The body's deliveryId and timestamp (ms), when the notification carries them. */
  deliveryId?: string;
  sentAt?: number;
  /** X-Delivery-Id or X-Timestamp differs from the body's deliveryId or timestamp. */
  headersDiffer: boolean;
  answer: DeliveryAnswer;
}

export interface MerchantEndpoint {
  /** The notifyUrl of a merchant, whose callback secret verifies its deliveries. */
  addMerchant(merchantId: string, callbackSecret: string): string;
  deliveries: Delivery[];
  /** Hung deliveries still open. */
  open(): number;
  close: () => Promise<void>;
}

const readBody = (request: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });

interface Notification {
  orderId?: unknown;
  status?: unknown;
  deliveryId?: unknown;
  timestamp?: unknown;
}

const parse = (raw: string): Notification => {
  try {
    const body: unknown = JSON.parse(raw);
    return typeof body === 'object' && body !== null ? body : {};
  } catch {
    return {};
  }
};

/** The endpoint's answer to the next delivery of an order: seeded per order and delivery, never more than `maxFailuresInARow` not taken. */
function answerDice(seed: string): (orderId: string) => DeliveryAnswer {
  const perOrder = new Map<string, { count: number; failuresInARow: number }>();
  return (orderId) => {
    const seen = perOrder.get(orderId) ?? { count: 0, failuresInARow: 0 };
    perOrder.set(orderId, seen);
    const roll = seedrandom(`${seed}:merchant:${orderId}:${seen.count++}`)();
    const { failureRate, hangRate, lostAnswerRate, maxFailuresInARow } = MERCHANT_BEHAVIOUR;
    let answer: DeliveryAnswer = 'taken';
    if (roll < failureRate) answer = 'failed';
    else if (roll < failureRate + hangRate) answer = 'hung';
    else if (roll < failureRate + hangRate + lostAnswerRate) answer = 'answer-lost';
    if (seen.failuresInARow >= maxFailuresInARow) answer = 'taken';
    seen.failuresInARow = answer === 'taken' ? 0 : seen.failuresInARow + 1;
    return answer;
  };
}

/**
 * The run's merchants' notification endpoint: an HTTP server of the harness
 * on 127.0.0.1 that records every delivery (its signature checked with the
 * merchant's callback secret) and answers by seeded dice: 30% 5xx, 10% no
 * answer, 10% taken but the answer cut off, the rest 200.
 */
export async function startMerchantEndpoint(seed: string): Promise<MerchantEndpoint> {
  const secrets = new Map<string, string>();
  const deliveries: Delivery[] = [];
  const decide = answerDice(seed);
  const hung = new Set<ServerResponse>();

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const raw = await readBody(request);
    const merchantId = /^\/merchants\/([^/?]+)/.exec(request.url ?? '')?.[1] ?? '';
    const secret = secrets.get(merchantId);
    const body = parse(raw);
    const header = (name: string) => request.headers[name] as string | undefined;
    const orderId = typeof body.orderId === 'string' ? body.orderId : '';
    const answer = decide(orderId);
    deliveries.push({
      merchantId,
      orderId,
      status: typeof body.status === 'string' ? body.status : '',
      receivedAt: Date.now(),
      signatureValid: secret !== undefined && verify(secret, raw, header('x-signature')),
      ...(typeof body.deliveryId === 'string' && { deliveryId: body.deliveryId }),
      ...(typeof body.timestamp === 'string' && { sentAt: Date.parse(body.timestamp) }),
      headersDiffer:
        (body.deliveryId !== undefined && header('x-delivery-id') !== body.deliveryId) ||
        (header('x-timestamp') !== undefined && header('x-timestamp') !== body.timestamp),
      answer,
    });
    if (answer === 'hung') {
      hung.add(response);
      response.on('close', () => hung.delete(response));
    } else if (answer === 'answer-lost') request.socket.destroy();
    else if (answer === 'failed') response.writeHead(deliveries.length % 2 ? 503 : 500).end('merchant busy');
    else response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    addMerchant(merchantId, callbackSecret) {
      secrets.set(merchantId, callbackSecret);
      return `${url}/merchants/${merchantId}`;
    },
    deliveries,
    open: () => hung.size,
    close: async () => {
      for (const response of hung) response.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
