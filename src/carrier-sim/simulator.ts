import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Hono } from 'hono';
import seedrandom from 'seedrandom';
import { rechargeRequestSchema, SIGNATURE_HEADER, type CarrierCallbackBody, type RechargeRequest } from '../carrier/protocol.ts';
import { sign } from '../util/signature.ts';
import { DENOMINATIONS_YUAN, carrierOf } from '../shared/carriers.ts';
import { behaviourSchema, type Behaviour } from './behaviour.ts';

interface CarrierOrder {
  request: RechargeRequest;
  carrierOrderId: string;
  state: 'PROCESSING' | 'SUCCESS' | 'FAILED';
  reason?: string;
  /** Recharge requests that arrived with this request id after it was taken (answered as the first, charged nothing). */
  repeats: number;
}

export interface SimulatorStats {
  /** Recharge requests received, repeats included. */
  requests: number;
  /** Distinct orders taken, i.e. phones actually topped up or attempted: one per request id at most. */
  charges: number;
  callbacksSent: number;
}

/**
 * One order the carrier took (charged for, unless it then FAILED), with the
 * phone it tops up: a second request id for one order shows as a second
 * charge of that phone.
 */
export interface CarrierCharge {
  requestId: string;
  phone: string;
  amountYuan: number;
  state: CarrierOrder['state'];
  repeats: number;
}

/**
 * An upstream carrier: takes recharge requests idempotently by request id,
 * answers accepted or refused, later POSTs a signed result callback, and
 * answers a status endpoint. Its randomness is seeded per request id, so a
 * run repeats whatever order requests arrive in.
 */
export function createCarrierSimulator(callbackSecret: string, initial: Partial<Behaviour> = {}) {
  let behaviour = behaviourSchema.parse(initial);
  const orders = new Map<string, CarrierOrder>();
  const stats: SimulatorStats = { requests: 0, charges: 0, callbacksSent: 0 };
  const pendingTimers = new Set<NodeJS.Timeout>();
  const attemptsByRequest = new Map<string, number>();

  const dice = (...parts: (string | number)[]) => seedrandom([behaviour.seed, ...parts].join(':'));

  function refusalReason(request: RechargeRequest): string | undefined {
    if (carrierOf(request.phone) !== request.carrier) return 'number does not belong to this carrier';
    if (!(DENOMINATIONS_YUAN as readonly number[]).includes(request.amountYuan)) return 'unsupported amount';
    if (dice(request.requestId, 'refuse')() < behaviour.refusalRate) return 'number not in service';
    return undefined;
  }

  async function postCallback(order: CarrierOrder): Promise<void> {
    const body: CarrierCallbackBody = {
      orderId: order.request.requestId,
      carrierOrderId: order.carrierOrderId,
      status: order.state === 'SUCCESS' ? 'SUCCESS' : 'FAILED',
      ...(order.reason !== undefined && { reason: order.reason }),
      timestamp: new Date().toISOString(),
    };
    const raw = JSON.stringify(body);
    // Like real carriers, re-send a few times when the merchant side is down.
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const response = await fetch(order.request.callbackUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: sign(callbackSecret, raw) },
          body: raw,
        });
        stats.callbacksSent++;
        if (response.ok || (response.status >= 400 && response.status < 500)) return;
      } catch {
        // network fault: try again below
      }
      await sleep(500 * 2 ** attempt);
    }
  }

  /** Decides the order after the callback delay, or at once (`early`), and sends its callback unless it is lost. */
  function scheduleResult(order: CarrierOrder, early: boolean) {
    const roll = dice(order.request.requestId, 'result');
    const failed = roll() < behaviour.failureRate;
    const lost = roll() < behaviour.callbackLossRate;
    const copies = roll() < behaviour.callbackDuplicateRate ? 2 : 1;
    const { callbackMinDelayMs: min, callbackMaxDelayMs: max } = behaviour;
    const delay = early ? 0 : min + Math.floor(roll() * Math.max(0, max - min));
    const timer = setTimeout(() => {
      pendingTimers.delete(timer);
      order.state = failed ? 'FAILED' : 'SUCCESS';
      if (failed) order.reason = 'carrier could not credit the number';
      if (lost) return;
      for (let i = 0; i < copies; i++) void postCallback(order);
    }, delay);
    pendingTimers.add(timer);
  }

  /** During an outage a request is refused at once or after hanging, by the roll of `key`; it takes nothing. */
  async function outageAnswer(key: string) {
    if (dice(key, 'outage')() < 0.5) await sleep(behaviour.hangMs);
    return { error: 'carrier unavailable' };
  }

  let outageRequests = 0;
  const app = new Hono()
    .post('/recharge', async (c) => {
      const parsed = rechargeRequestSchema.safeParse(await c.req.json().catch(() => undefined));
      if (!parsed.success) return c.json({ error: 'invalid request', issues: parsed.error.issues }, 400);
      const request = parsed.data;
      stats.requests++;
      const attempt = (attemptsByRequest.get(request.requestId) ?? 0) + 1;
      attemptsByRequest.set(request.requestId, attempt);
      if (behaviour.outage) return c.json(await outageAnswer(`${request.requestId}:${attempt}`), 503);
      if (behaviour.latencyMs > 0) await sleep(behaviour.latencyMs);
      if (dice(request.requestId, attempt, '5xx')() < behaviour.serverErrorRate) return c.json({ error: 'busy' }, 503);

      let order = orders.get(request.requestId);
      if (order) order.repeats++;
      else {
        const reason = refusalReason(request);
        if (reason) return c.json({ accepted: false, reason });
        order = { request, carrierOrderId: `C${randomUUID().replaceAll('-', '').slice(0, 20)}`, state: 'PROCESSING', repeats: 0 };
        orders.set(request.requestId, order);
        stats.charges++;
        const early = dice(request.requestId, 'early')() < behaviour.earlyCallbackRate;
        scheduleResult(order, early);
        if (early) await sleep(behaviour.earlyAnswerDelayMs);
      }
      if (attempt === 1 && dice(request.requestId, 'hang')() < behaviour.timeoutRate) await sleep(behaviour.hangMs);
      return c.json({ accepted: true, carrierOrderId: order.carrierOrderId });
    })
    .get('/recharge/:requestId', async (c) => {
      if (behaviour.outage) return c.json(await outageAnswer(`${c.req.param('requestId')}:status:${++outageRequests}`), 503);
      if (behaviour.latencyMs > 0) await sleep(behaviour.latencyMs);
      const order = orders.get(c.req.param('requestId'));
      if (!order) return c.json({ state: 'NOT_FOUND' }, 404);
      const { state, carrierOrderId, reason } = order;
      return c.json(state === 'FAILED' ? { state, carrierOrderId, reason } : { state, carrierOrderId });
    })
    .get('/_sim/stats', (c) => c.json(stats))
    .get('/_sim/charges', (c) => c.json(charges()))
    // Test control: a fault-injection run changes the carrier's behaviour (an outage, say) while it runs.
    .patch('/_sim/behaviour', async (c) => {
      const changes: unknown = await c.req.json().catch(() => undefined);
      const parsed = behaviourSchema.safeParse(typeof changes === 'object' ? { ...behaviour, ...changes } : undefined);
      if (!parsed.success) return c.json({ error: 'invalid behaviour', issues: parsed.error.issues }, 400);
      behaviour = parsed.data;
      return c.json(behaviour);
    });

  function configure(changes: Partial<Behaviour>) {
    behaviour = behaviourSchema.parse({ ...behaviour, ...changes });
  }

  function charges(): CarrierCharge[] {
    return [...orders.values()].map(({ request, state, repeats }) => ({ requestId: request.requestId, phone: request.phone, amountYuan: request.amountYuan, state, repeats }));
  }

  return {
    app,
    stats: (): SimulatorStats => ({ ...stats }),
    /** Changes behaviour for requests from now on (tests use it to make the carrier slow, lossy, ...). */
    configure,
    charges,
    /** Drops scheduled results; for shutting down. */
    stop() {
      for (const timer of pendingTimers) clearTimeout(timer);
      pendingTimers.clear();
    },
  };
}
