import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Hono, type Context } from 'hono';
import seedrandom from 'seedrandom';
import { rechargeRequestSchema, type RechargeRequest } from '../carrier/protocol.ts';
import { costFen } from '../merchants/pricing.ts';
import { segmentTable } from '../numbers/segments.ts';
import { DENOMINATIONS_YUAN } from '../shared/carriers.ts';
import { behaviourSchema, type Behaviour } from './behaviour.ts';
import { billRoutes, type Bookkeeping } from './bill-routes.ts';
import { postCallback } from './callbacks.ts';
import {
  chargesOf,
  type CarrierCharge,
  type RecordedOrder,
  type StartingBooks,
  type SupplierRecord,
} from './records.ts';
import { countRequest, zeroStats, type SimulatorStats } from './stats.ts';

/** An order it took; `durable` settles once its record is on disk (at once without books). */
interface CarrierOrder extends RecordedOrder {
  durable: Promise<void>;
}

export type { CarrierCharge, SimulatorStats };

/** What the simulator holds while it runs; `behaviour` changes at run time. */
interface SimulatorState {
  callbackSecret: string;
  /** The behaviour it started with, which `POST /_sim/reset` restores. */
  initial: Behaviour;
  behaviour: Behaviour;
  orders: Map<string, CarrierOrder>;
  /** Charges billed for requests it was never sent (`POST /_sim/phantom-charge`). */
  phantoms: Map<string, RecordedOrder>;
  stats: SimulatorStats;
  pendingTimers: Set<NodeJS.Timeout>;
  attemptsByRequest: Map<string, number>;
  outageRequests: number;
  /** When the recharge requests of the last second arrived (ms), oldest first. */
  lastSecond: number[];
  /** Recharge requests being answered now. */
  inFlight: number;
  /** Its books on disk, when it keeps them (CARRIER_SIM_DATA_FILE). */
  records: StartingBooks['records'];
}

/** Writes a record to the books, if it keeps them; resolves once it is on disk. */
const persist = (state: SimulatorState, record: SupplierRecord) =>
  state.records ? state.records.append(record) : Promise.resolve();

/** A random stream seeded by the behaviour's seed and `parts`: the same request rolls the same dice on every run. */
const dice = (state: SimulatorState, ...parts: (string | number)[]) =>
  seedrandom([state.behaviour.seed, ...parts].join(':'));

function refusalReason(state: SimulatorState, request: RechargeRequest): string | undefined {
  if (segmentTable().lookup(request.phone)?.carrier !== request.carrier)
    return 'number does not belong to this carrier';
  if (!(DENOMINATIONS_YUAN as readonly number[]).includes(request.amountYuan)) return 'unsupported amount';
  if (dice(state, request.requestId, 'refuse')() < state.behaviour.refusalRate) return 'number not in service';
  return undefined;
}

/** Decides the order after the callback delay, or at once (`early`), and sends its callback unless it is lost. */
function scheduleResult(state: SimulatorState, order: CarrierOrder, early: boolean) {
  const { behaviour, pendingTimers } = state;
  const roll = dice(state, order.request.requestId, 'result');
  const failed = roll() < behaviour.failureRate;
  const lost = roll() < behaviour.callbackLossRate;
  const copies = roll() < behaviour.callbackDuplicateRate ? 2 : 1;
  const { callbackMinDelayMs: min, callbackMaxDelayMs: max } = behaviour;
  const delay = early ? 0 : min + Math.floor(roll() * Math.max(0, max - min));
  const timer = setTimeout(() => {
    pendingTimers.delete(timer);
    void decide(state, order, failed ? 'FAILED' : 'SUCCESS', lost ? 0 : copies);
  }, delay);
  pendingTimers.add(timer);
}

/** The result goes into the books first: only then is the order credited (or failed), seen by its status and called back. */
async function decide(state: SimulatorState, order: CarrierOrder, result: 'SUCCESS' | 'FAILED', callbacks: number) {
  const reason = result === 'FAILED' ? 'carrier could not credit the number' : undefined;
  const { requestId } = order.request;
  // Priced when credited, at the rate of the moment: its bill line keeps that amount.
  const chargeFen = reason ? undefined : costFen(order.request.amountYuan, state.behaviour.chargeRate);
  const at = new Date().toISOString();
  try {
    await persist(state, {
      type: 'result',
      requestId,
      state: result,
      ...(reason && { reason }),
      ...(chargeFen !== undefined && { chargeFen }),
      at,
    });
  } catch (error) {
    console.error(`carrier simulator: the result of ${requestId} could not be recorded: ${String(error)}`);
    return; // still PROCESSING, as the books say
  }
  Object.assign(order, { state: result, decidedAt: at, ...(chargeFen !== undefined && { chargeFen }) });
  if (reason) order.reason = reason;
  else state.stats.charges++;
  // Fire and forget, as a carrier does: postCallback retries on its own and never rejects.
  for (let i = 0; i < callbacks; i++) void postCallback(state.callbackSecret, order, state.stats);
}

/** During an outage a request is refused at once or after hanging, by the roll of `key`; it takes nothing. */
async function outageAnswer(state: SimulatorState, key: string) {
  if (dice(state, key, 'outage')() < 0.5) await sleep(state.behaviour.hangMs);
  return { error: 'carrier unavailable' };
}

/** A valid request's order: the one taken before under its request id (a repeat, charged nothing), or a new one, or why it is refused. */
async function takeOrder(
  state: SimulatorState,
  request: RechargeRequest,
): Promise<{ order: CarrierOrder } | { refused: string }> {
  const existing = state.orders.get(request.requestId);
  if (existing) {
    existing.repeats++;
    persist(state, { type: 'repeat', requestId: request.requestId }).catch(() => undefined); // a count only
    await existing.durable;
    return { order: existing };
  }
  const reason = refusalReason(state, request);
  if (reason) return { refused: reason };
  const carrierOrderId = `C${randomUUID().replaceAll('-', '').slice(0, 20)}`;
  const at = new Date().toISOString();
  const order: CarrierOrder = {
    request,
    carrierOrderId,
    state: 'PROCESSING',
    repeats: 0,
    durable: persist(state, { type: 'taken', request, carrierOrderId, at }),
  };
  state.orders.set(request.requestId, order);
  // Taken once it is in the books: a request the books lost was never taken (and never answered).
  try {
    await order.durable;
  } catch (error) {
    state.orders.delete(request.requestId);
    throw error;
  }
  const early = dice(state, request.requestId, 'early')() < state.behaviour.earlyCallbackRate;
  scheduleResult(state, order, early);
  if (early) await sleep(state.behaviour.earlyAnswerDelayMs);
  return { order };
}

/** POST /recharge: counted, and how many are answered at once. */
function rechargeHandler(state: SimulatorState) {
  return async (c: Context) => {
    const parsed = rechargeRequestSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json({ error: 'invalid request', issues: parsed.error.issues }, 400);
    countRequest(state.stats, state.lastSecond);
    state.stats.peakInFlight = Math.max(state.stats.peakInFlight, ++state.inFlight);
    try {
      return await answerRecharge(state, c, parsed.data);
    } finally {
      state.inFlight--;
    }
  };
}

/** Outages, latency, 5xx and hangs by the behaviour's dice, then the order taken idempotently by request id. */
async function answerRecharge(state: SimulatorState, c: Context, request: RechargeRequest) {
  // Taken only until its notAfter, as real suppliers refuse stale requests.
  if (request.notAfter !== undefined && Date.now() > Date.parse(request.notAfter))
    return c.json({ accepted: false, reason: 'request expired' });
  const attempt = (state.attemptsByRequest.get(request.requestId) ?? 0) + 1;
  state.attemptsByRequest.set(request.requestId, attempt);
  if (state.behaviour.outage) return c.json(await outageAnswer(state, `${request.requestId}:${attempt}`), 503);
  if (state.behaviour.latencyMs > 0) await sleep(state.behaviour.latencyMs);
  if (dice(state, request.requestId, attempt, '5xx')() < state.behaviour.serverErrorRate)
    return c.json({ error: 'busy' }, 503);

  const taken = await takeOrder(state, request);
  if ('refused' in taken) return c.json({ accepted: false, reason: taken.refused });
  if (attempt === 1 && dice(state, request.requestId, 'hang')() < state.behaviour.timeoutRate)
    await sleep(state.behaviour.hangMs);
  return c.json({ accepted: true, carrierOrderId: taken.order.carrierOrderId });
}

/** The carrier's HTTP API, plus the `/_sim` endpoints that tests and the fault-injection run use. */
function simulatorApp(state: SimulatorState) {
  return (
    new Hono()
      .post('/recharge', rechargeHandler(state))
      .get('/recharge/:requestId', async (c) => {
        if (state.behaviour.outage)
          return c.json(await outageAnswer(state, `${c.req.param('requestId')}:status:${++state.outageRequests}`), 503);
        if (state.behaviour.latencyMs > 0) await sleep(state.behaviour.latencyMs);
        const order = state.orders.get(c.req.param('requestId'));
        if (!order) return c.json({ state: 'NOT_FOUND' }, 404);
        if (
          !(await order.durable.then(
            () => true,
            () => false,
          ))
        )
          return c.json({ error: 'records unavailable' }, 503);
        const { state: orderState, carrierOrderId, reason } = order;
        return c.json(
          orderState === 'FAILED'
            ? { state: orderState, carrierOrderId, reason }
            : { state: orderState, carrierOrderId },
        );
      })
      .get('/_sim/stats', (c) => c.json(state.stats))
      .get('/_sim/charges', (c) => c.json(chargesOf(state.orders.values())))
      // Test control: a fault-injection run changes the carrier's behaviour (an outage, say) while it runs; the settings not given stay.
      .post('/_sim/behaviour', async (c) => {
        const changes: unknown = await c.req.json().catch(() => undefined);
        const isObject = typeof changes === 'object' && changes !== null && !Array.isArray(changes);
        // Strict: a setting it does not have (a typo, `constructor`) is refused by name, not ignored.
        const parsed = behaviourSchema.strict().safeParse(isObject ? { ...state.behaviour, ...changes } : undefined);
        if (!parsed.success) return c.json({ error: 'invalid behaviour', issues: parsed.error.issues }, 400);
        state.behaviour = parsed.data;
        return c.json(state.behaviour);
      })
      // The start-up behaviour and zeroed stats; the orders it took stay (a repeat is still answered as the first).
      .post('/_sim/reset', (c) => {
        state.behaviour = state.initial;
        state.stats = zeroStats();
        state.lastSecond = [];
        return c.json({ behaviour: state.behaviour, stats: state.stats });
      })
      // Its daily bill, a phantom charge and a reversal: see bill-routes.ts.
      .route('/_sim', billRoutes(bookkeeping(state)))
  );
}

/** The books as the bill endpoints see them. */
const bookkeeping = (state: SimulatorState): Bookkeeping => ({
  orders: state.orders,
  phantoms: state.phantoms,
  chargeRate: () => state.behaviour.chargeRate,
  persist: (record) => persist(state, record),
  callBack: (order) => void postCallback(state.callbackSecret, order, state.stats),
  uncharged: () => void (state.stats.charges -= 1),
});

/**
 * Takes up its books after a restart: every order answers its status and repeats as before; one still PROCESSING is
 * decided (the same dice) and called back; a reversal's callback is sent again (a repeat changes nothing).
 */
function resume(state: SimulatorState, { recorded, phantoms }: StartingBooks): void {
  for (const [requestId, phantom] of phantoms ?? []) state.phantoms.set(requestId, phantom);
  for (const [requestId, order] of recorded ?? []) {
    const restored: CarrierOrder = { ...order, durable: Promise.resolve() };
    state.orders.set(requestId, restored);
    if (order.state === 'SUCCESS') state.stats.charges++;
    if (order.state === 'PROCESSING') scheduleResult(state, restored, false);
    if (order.state === 'REVERSED') void postCallback(state.callbackSecret, restored, state.stats);
  }
}

/**
 * An upstream carrier: takes recharge requests idempotently by request id,
 * answers accepted or refused, later POSTs a signed result callback, and
 * answers a status endpoint. Its randomness is seeded per request id, so a
 * run repeats whatever order requests arrive in.
 */
export function createCarrierSimulator(
  callbackSecret: string,
  initial: Partial<Behaviour> = {},
  books: StartingBooks = {},
) {
  const startUp = behaviourSchema.parse(initial);
  const state: SimulatorState = {
    callbackSecret,
    initial: startUp,
    behaviour: startUp,
    orders: new Map(),
    phantoms: new Map(),
    stats: zeroStats(),
    pendingTimers: new Set(),
    attemptsByRequest: new Map(),
    outageRequests: 0,
    lastSecond: [],
    inFlight: 0,
    records: books.records,
  };
  resume(state, books);
  return {
    app: simulatorApp(state),
    stats: (): SimulatorStats => ({ ...state.stats }),
    /** Changes behaviour for requests from now on (tests use it to make the carrier slow, lossy, ...). */
    configure: (changes: Partial<Behaviour>) => {
      state.behaviour = behaviourSchema.strict().parse({ ...state.behaviour, ...changes });
    },
    charges: () => chargesOf(state.orders.values()),
    /** Drops scheduled results; for shutting down. */
    stop: () => {
      for (const timer of state.pendingTimers) clearTimeout(timer);
      state.pendingTimers.clear();
    },
  };
}
