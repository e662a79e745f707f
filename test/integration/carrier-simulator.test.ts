import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCarrierClient } from '../../src/carrier/client.ts';
import { openRecords, readRecords } from '../../src/carrier-sim/records.ts';
import { createCarrierSimulator } from '../../src/carrier-sim/simulator.ts';
import { callbackReceiver } from './callback-receiver.ts';
import { listen } from './harness.ts';

const SECRET = 'simulator-test-secret';

const { app: receiver, callbacksFor, untilCallbacks } = callbackReceiver(SECRET);

const simulator = createCarrierSimulator(SECRET, { callbackMinDelayMs: 10, callbackMaxDelayMs: 30 });
let carrierUrl: string;
let callbackUrl: string;
const servers: { close(): Promise<void> }[] = [];
beforeAll(async () => {
  const carrier = await listen(simulator.app);
  const cb = await listen(receiver);
  servers.push(carrier, cb);
  carrierUrl = carrier.url;
  callbackUrl = `${cb.url}/cb`;
});
afterAll(async () => {
  simulator.stop();
  await Promise.all(servers.map((s) => s.close()));
});

const request = (requestId: string = randomUUID()) => ({
  requestId,
  phone: '13812345678',
  carrier: 'CMCC' as const,
  amountYuan: 50,
  callbackUrl,
});

describe('carrier simulator', () => {
  it('takes a request once per request id, calls back signed, and answers its status endpoint', async () => {
    const client = createCarrierClient(carrierUrl, 2_000);
    const req = request();
    const chargesBefore = simulator.stats().charges;
    const first = await client.submit(req);
    const again = await client.submit(req);
    expect(first).toMatchObject({ outcome: 'accepted' });
    expect(again).toEqual(first);
    await untilCallbacks(req.requestId, 1);
    // Credited once, when its result is SUCCESS: the repeat charged nothing.
    expect(simulator.stats().charges - chargesBefore).toBe(1);
    expect(callbacksFor(req.requestId)).toEqual([
      { body: expect.objectContaining({ status: 'SUCCESS' }), valid: true },
    ]);
    expect(await client.status(req.requestId)).toMatchObject({ state: 'SUCCESS' });
    expect(await client.status(randomUUID())).toEqual({ state: 'NOT_FOUND' });
  });

  it('refuses a request whose number belongs to another carrier', async () => {
    const client = createCarrierClient(carrierUrl, 2_000);
    expect(await client.submit({ ...request(), carrier: 'CTCC' })).toEqual({
      outcome: 'refused',
      reason: 'number does not belong to this carrier',
    });
  });

  it('takes a request only until its notAfter: one that arrives later is refused and takes nothing', async () => {
    const client = createCarrierClient(carrierUrl, 2_000);
    const late = { ...request(), notAfter: new Date(Date.now() - 1).toISOString() };
    expect(await client.submit(late)).toEqual({ outcome: 'refused', reason: 'request expired' });
    expect(await client.status(late.requestId)).toEqual({ state: 'NOT_FOUND' });
    const inTime = { ...request(), notAfter: new Date(Date.now() + 60_000).toISOString() };
    expect(await client.submit(inTime)).toMatchObject({ outcome: 'accepted' });
  });

  it('answers 5xx as a fault the caller must not take as an answer', async () => {
    simulator.configure({ serverErrorRate: 1 });
    try {
      await expect(createCarrierClient(carrierUrl, 2_000).submit(request())).rejects.toThrow(/HTTP 503/);
    } finally {
      simulator.configure({ serverErrorRate: 0 });
    }
  });

  it('sends duplicate callbacks when told to', async () => {
    simulator.configure({ callbackDuplicateRate: 1 });
    try {
      const req = request();
      await createCarrierClient(carrierUrl, 2_000).submit(req);
      await untilCallbacks(req.requestId, 2);
      expect(callbacksFor(req.requestId)).toHaveLength(2);
    } finally {
      simulator.configure({ callbackDuplicateRate: 0 });
    }
  });

  it('goes down and comes back when told over HTTP: an outage takes nothing and answers 503, fast or after hanging', async () => {
    const change = (changes: object) =>
      fetch(`${carrierUrl}/_sim/behaviour`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(changes),
      });
    // A setting it does not have, or no object at all, changes nothing.
    for (const refused of [
      { outag: true },
      JSON.parse('{"__proto__":{"outage":true}}') as object,
      { constructor: 1 },
      [true],
    ])
      expect((await change(refused)).status).toBe(400);
    expect((await change({ outage: true, hangMs: 20 })).status).toBe(200);
    const req = request();
    try {
      const client = createCarrierClient(carrierUrl, 2_000);
      for (let attempt = 0; attempt < 4; attempt++) await expect(client.submit(req)).rejects.toThrow(/HTTP 503/);
      await expect(client.status(req.requestId)).rejects.toThrow(/HTTP 503/);
      expect((await change({ outage: 'not a boolean' })).status).toBe(400);
    } finally {
      await change({ outage: false, hangMs: 30_000 });
    }
    expect(simulator.charges().filter((charge) => charge.requestId === req.requestId)).toEqual([]);
    expect(await createCarrierClient(carrierUrl, 2_000).submit(req)).toMatchObject({ outcome: 'accepted' });
    expect(simulator.charges().filter((charge) => charge.requestId === req.requestId)).toHaveLength(1);
  });

  it('calls back before answering the recharge request when told to', async () => {
    simulator.configure({ earlyCallbackRate: 1, earlyAnswerDelayMs: 300 });
    try {
      const req = request();
      const answer = createCarrierClient(carrierUrl, 2_000).submit(req);
      await untilCallbacks(req.requestId, 1);
      let answered = false;
      void answer.then(() => (answered = true));
      expect(answered).toBe(false);
      expect(await answer).toMatchObject({ outcome: 'accepted' });
    } finally {
      simulator.configure({ earlyCallbackRate: 0 });
    }
  });

  it('lists the orders it took, by phone, with their state and how often the same request id came again', async () => {
    const req = { ...request(), phone: '13900001111' };
    await createCarrierClient(carrierUrl, 2_000).submit(req);
    await createCarrierClient(carrierUrl, 2_000).submit(req);
    await untilCallbacks(req.requestId, 1);
    const listed = (await (await fetch(`${carrierUrl}/_sim/charges`)).json()) as unknown[];
    expect(listed).toContainEqual({
      requestId: req.requestId,
      phone: '13900001111',
      amountYuan: 50,
      state: 'SUCCESS',
      repeats: 1,
    });
  });

  it('counts the peak of recharge requests in any one second and at once, and resets to its start-up behaviour with zeroed stats', async () => {
    const sim = createCarrierSimulator(SECRET, {
      latencyMs: 0,
      callbackMinDelayMs: 60_000,
      callbackMaxDelayMs: 60_000,
    });
    const post = (path: string, body: object = {}) =>
      sim.app.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    try {
      expect((await post('/_sim/behaviour', { refusalRate: 1 })).status).toBe(200);
      for (let i = 0; i < 7; i++) await post('/recharge', request(`peak-${i}`));
      expect(await (await sim.app.request('/_sim/stats')).json()).toEqual({
        requests: 7,
        charges: 0,
        peakRequestsPerSecond: 7,
        peakInFlight: 1,
        callbacksSent: 0,
      });
      // Three slow answers at once: three in flight.
      expect((await post('/_sim/behaviour', { latencyMs: 50 })).status).toBe(200);
      await Promise.all([1, 2, 3].map(async (i) => post('/recharge', request(`slow-${i}`))));
      expect(sim.stats()).toMatchObject({ requests: 10, peakInFlight: 3 });
      const reset = (await (await post('/_sim/reset')).json()) as {
        behaviour: { refusalRate: number; callbackMinDelayMs: number };
        stats: object;
      };
      expect(reset.behaviour).toMatchObject({ refusalRate: 0, callbackMinDelayMs: 60_000 });
      expect(reset.stats).toEqual({
        requests: 0,
        charges: 0,
        peakRequestsPerSecond: 0,
        peakInFlight: 0,
        callbacksSent: 0,
      });
      // Refused before the reset, so nothing was taken: accepted now, under the start-up behaviour.
      expect(await (await post('/recharge', request('peak-0'))).json()).toMatchObject({ accepted: true });
      expect(sim.stats()).toMatchObject({ requests: 1, peakRequestsPerSecond: 1 });
    } finally {
      sim.stop();
    }
  });

  it('repeats its random decisions for the same seed and request id', async () => {
    const decide = async (seed: string) => {
      const sim = createCarrierSimulator(SECRET, { seed, refusalRate: 0.5 });
      const answers = [];
      for (let i = 0; i < 20; i++) {
        const response = await sim.app.request('/recharge', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(request(`req-${i}`)),
        });
        answers.push(((await response.json()) as { accepted: boolean }).accepted);
      }
      sim.stop();
      return answers;
    };
    const first = await decide('seed-a');
    expect(await decide('seed-a')).toEqual(first);
    expect(first).toContain(true);
    expect(first).toContain(false);
  });

  it('keeps its books on disk before it answers, and after a restart answers from them and decides what was still open', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'carrier-books-')), 'sim.jsonl');
    const firstBooks = await openRecords(file);
    const first = createCarrierSimulator(
      SECRET,
      { seed: 'books', callbackMinDelayMs: 60_000, callbackMaxDelayMs: 60_000 },
      { records: firstBooks },
    );
    const post = (sim: typeof first, body: object) =>
      sim.app.request('/recharge', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const open = request();
    const answered = (await (await post(first, open)).json()) as { accepted: boolean; carrierOrderId: string };
    expect(answered.accepted).toBe(true);
    // Acknowledged, so on disk: a kill -9 now (the process simply gone, its timers with it) loses nothing.
    first.stop();
    await firstBooks.close();
    expect(readFileSync(file, 'utf8')).toContain(open.requestId);
    appendFileSync(file, '{"type":"taken","request":'); // a line torn by a crash mid-write, never acknowledged

    const books = readRecords(file);
    expect(books.skippedLines).toBe(1);
    const secondBooks = await openRecords(file);
    const second = createCarrierSimulator(
      SECRET,
      { seed: 'books', callbackMinDelayMs: 10, callbackMaxDelayMs: 30 },
      { records: secondBooks, recorded: books.orders },
    );
    try {
      // The same request again: answered as the first, from the books, charged nothing more.
      expect(await (await post(second, open)).json()).toEqual(answered);
      // Still PROCESSING at the restart: decided now, and called back.
      await untilCallbacks(open.requestId, 1);
      expect(await (await second.app.request(`/recharge/${open.requestId}`)).json()).toMatchObject({
        state: 'SUCCESS',
        carrierOrderId: answered.carrierOrderId,
      });
      expect(second.charges()).toEqual([
        expect.objectContaining({ requestId: open.requestId, state: 'SUCCESS', repeats: 1 }),
      ]);
      // The result is on disk too, after the torn line (closed off, so the new records parse).
      const reread = readRecords(file);
      expect(reread.skippedLines).toBe(1);
      expect(reread.orders.get(open.requestId)).toMatchObject({ state: 'SUCCESS' });
    } finally {
      second.stop();
      await secondBooks.close();
    }
  });
});
