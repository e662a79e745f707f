import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRecords, readRecords } from '../../src/carrier-sim/records.ts';
import { createCarrierSimulator } from '../../src/carrier-sim/simulator.ts';
import { utcDay } from '../../src/shared/calendar-days.ts';
import { BILL_HEADER, parseBill, type BillLine } from '../../src/shared/supplier-bill.ts';
import { callbackReceiver } from './callback-receiver.ts';
import { listen } from './harness.ts';

const SECRET = 'simulator-bill-test-secret';

const { app: receiver, callbacksFor, untilCallbacks } = callbackReceiver(SECRET);

let callbackUrl: string;
const servers: { close(): Promise<void> }[] = [];
beforeAll(async () => {
  const cb = await listen(receiver);
  servers.push(cb);
  callbackUrl = `${cb.url}/cb`;
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

type Simulator = ReturnType<typeof createCarrierSimulator>;
const post = (sim: Simulator, path: string, body: unknown) =>
  sim.app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const recharge = (sim: Simulator, requestId: string, amountYuan = 50) =>
  post(sim, '/recharge', { requestId, phone: '13812345678', carrier: 'CMCC', amountYuan, callbackUrl });
async function billOf(sim: Simulator, date: string): Promise<BillLine[]> {
  const response = await sim.app.request(`/_sim/bill?date=${date}`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
  const text = await response.text();
  expect(text.split('\n')[0]).toBe(BILL_HEADER);
  const parsed = parseBill(text);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed.lines;
}
const today = () => utcDay(new Date());

describe('the carrier simulator bill', () => {
  it('bills each request decided that UTC day once: SUCCESS at face value × its rate, FAILED at 0, phones masked', async () => {
    const sim = createCarrierSimulator(SECRET, { callbackMinDelayMs: 5, callbackMaxDelayMs: 10, chargeRate: '0.97' });
    try {
      const credited = `bill-${randomUUID()}-1`;
      await recharge(sim, credited, 50);
      await recharge(sim, credited, 50); // a repeat: billed once
      await untilCallbacks(credited, 1);
      sim.configure({ failureRate: 1 });
      const failed = `bill-${randomUUID()}-1`;
      await recharge(sim, failed, 100);
      await untilCallbacks(failed, 1);
      const bill = await billOf(sim, today());
      expect(bill).toEqual([
        expect.objectContaining({ requestId: credited, phone: '138****5678', faceValueYuan: 50, amountFen: 4850 }),
        expect.objectContaining({ requestId: failed, faceValueYuan: 100, amountFen: 0, status: 'FAILED' }),
      ]);
      expect(bill[0]).toMatchObject({ status: 'SUCCESS', day: today() });
      expect(await billOf(sim, '2020-01-01')).toEqual([]);
      for (const date of ['', '2026-02-30', 'yesterday'])
        expect((await sim.app.request(`/_sim/bill?date=${date}`)).status).toBe(400);
    } finally {
      sim.stop();
    }
  });

  it('bills a phantom charge it was never asked for, and nothing else knows of it', async () => {
    const sim = createCarrierSimulator(SECRET);
    const answer = await post(sim, '/_sim/phantom-charge', { phone: '13912345678', faceValueYuan: 100 });
    expect(answer.status).toBe(201);
    const phantom = (await answer.json()) as { requestId: string; amountFen: number };
    expect(phantom.amountFen).toBe(9700);
    expect(await billOf(sim, today())).toEqual([
      expect.objectContaining({
        requestId: phantom.requestId,
        phone: '139****5678',
        amountFen: 9700,
        status: 'SUCCESS',
      }),
    ]);
    expect(sim.charges()).toEqual([]);
    expect(sim.stats()).toMatchObject({ requests: 0, charges: 0, callbacksSent: 0 });
    expect((await sim.app.request(`/recharge/${phantom.requestId}`)).status).toBe(404);
    for (const body of [
      { phone: '12345', faceValueYuan: 100 },
      { phone: '13912345678' },
      { phone: '13912345678', faceValueYuan: 1, x: 1 },
    ])
      expect((await post(sim, '/_sim/phantom-charge', body)).status).toBe(400);
  });

  it('reverses a SUCCESS: a signed REVERSED callback, REVERSED at 0 on its bill; unknown requests 404, others 409', async () => {
    const sim = createCarrierSimulator(SECRET, { callbackMinDelayMs: 5, callbackMaxDelayMs: 10 });
    try {
      const requestId = `rev-${randomUUID()}-1`;
      await recharge(sim, requestId);
      await untilCallbacks(requestId, 1);
      const reversed = await post(sim, '/_sim/reverse', { requestId });
      expect(reversed.status).toBe(200);
      expect(await reversed.json()).toMatchObject({ requestId, state: 'REVERSED' });
      await untilCallbacks(requestId, 2);
      expect(callbacksFor(requestId).map(({ body, valid }) => [body.status, valid])).toEqual([
        ['SUCCESS', true],
        ['REVERSED', true],
      ]);
      expect(await billOf(sim, today())).toEqual([
        expect.objectContaining({ requestId, amountFen: 0, status: 'REVERSED', day: today() }),
      ]);
      expect(sim.stats().charges).toBe(0);
      expect((await post(sim, '/_sim/reverse', { requestId })).status).toBe(409);
      expect((await post(sim, '/_sim/reverse', { requestId: 'never-sent-1' })).status).toBe(404);
      expect((await post(sim, '/_sim/reverse', {})).status).toBe(400);
      sim.configure({ failureRate: 1 });
      const failed = `rev-${randomUUID()}-1`;
      await recharge(sim, failed);
      await untilCallbacks(failed, 1);
      expect((await post(sim, '/_sim/reverse', { requestId: failed })).status).toBe(409);
    } finally {
      sim.stop();
    }
  });

  it('keeps its reversals and phantom charges in its books: the same bill after a restart', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sim-bill-')), 'books.jsonl');
    const firstBooks = await openRecords(file);
    const first = createCarrierSimulator(
      SECRET,
      { callbackMinDelayMs: 5, callbackMaxDelayMs: 10, chargeRate: '0.95' },
      { records: firstBooks },
    );
    const requestId = `books-${randomUUID()}-1`;
    const kept = `books-${randomUUID()}-1`;
    await recharge(first, requestId);
    await recharge(first, kept, 20);
    await untilCallbacks(requestId, 1);
    await untilCallbacks(kept, 1);
    expect((await post(first, '/_sim/reverse', { requestId })).status).toBe(200);
    expect((await post(first, '/_sim/phantom-charge', { phone: '13912345678', faceValueYuan: 30 })).status).toBe(201);
    const before = await billOf(first, today());
    first.stop();
    await firstBooks.close();

    const books = readRecords(file);
    expect(books.skippedLines).toBe(0);
    // Priced as recorded: a restart at another rate does not change what was billed.
    const second = createCarrierSimulator(
      SECRET,
      { chargeRate: '0.5' },
      { recorded: books.orders, phantoms: books.phantoms },
    );
    try {
      expect(before.map((line) => [line.status, line.amountFen])).toEqual(
        expect.arrayContaining([
          ['REVERSED', 0],
          ['SUCCESS', 1900],
          ['SUCCESS', 2850],
        ]),
      );
      expect(await billOf(second, today())).toEqual(before);
      expect(second.stats().charges).toBe(1);
      expect((await post(second, '/_sim/reverse', { requestId })).status).toBe(409);
    } finally {
      second.stop();
    }
  });
});
