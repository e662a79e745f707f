import { Hono } from 'hono';
import { verify } from '../../src/util/signature.ts';

/** A real HTTP receiver standing in for our API's callback endpoint (POST /cb), checking each callback's signature. */
export function callbackReceiver(secret: string) {
  const received: { body: { orderId: string; status: string }; valid: boolean }[] = [];
  const waiters: (() => void)[] = [];
  const app = new Hono().post('/cb', async (c) => {
    const raw = await c.req.text();
    received.push({ body: JSON.parse(raw), valid: verify(secret, raw, c.req.header('X-Signature')) });
    waiters.splice(0).forEach((wake) => wake());
    return c.json({ ok: true });
  });
  const callbacksFor = (orderId: string) => received.filter((r) => r.body.orderId === orderId);
  /** Resolves once `count` callbacks for the order (or request id) have come. */
  async function untilCallbacks(orderId: string, count: number) {
    while (callbacksFor(orderId).length < count) await new Promise<void>((resolve) => waiters.push(resolve));
  }
  return { app, received, callbacksFor, untilCallbacks };
}
