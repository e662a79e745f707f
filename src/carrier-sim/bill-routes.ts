import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import { costFen } from '../merchants/pricing.ts';
import { segmentTable } from '../numbers/segments.ts';
import { CARRIERS, Carrier, PHONE_PATTERN } from '../shared/carriers.ts';
import { isCalendarDay } from '../shared/calendar-days.ts';
import { formatBill } from '../shared/supplier-bill.ts';
import { billOf } from './bill.ts';
import { phantomOrder, type RecordedOrder, type SupplierRecord } from './records.ts';

/** What the bill endpoints need of a simulator: its books and how to write to them and call back. */
export interface Bookkeeping {
  orders: Map<string, RecordedOrder & { durable: Promise<void> }>;
  phantoms: Map<string, RecordedOrder>;
  chargeRate(): string;
  /** Writes a record to the books; resolves once it is on disk. */
  persist(record: SupplierRecord): Promise<void>;
  /** Sends the order's result callback (signed, retried), as for every result. */
  callBack(order: RecordedOrder): void;
  /** A SUCCESS taken back: one phone fewer credited. */
  uncharged(): void;
}

const phantomBody = z.strictObject({
  phone: z.string().regex(PHONE_PATTERN),
  faceValueYuan: z.number().int().positive().max(100_000),
});
const reverseBody = z.strictObject({ requestId: z.string().min(1).max(64) });

const jsonOf = (request: Request): Promise<unknown> => request.json().catch(() => undefined);

/** POST /_sim/phantom-charge: a SUCCESS charge for a request id it was never sent, on its bill and nowhere else. */
async function phantomCharge(books: Bookkeeping, body: z.infer<typeof phantomBody>) {
  const request = {
    requestId: `phantom-${randomUUID()}`,
    phone: body.phone,
    carrier: CARRIERS.find((carrier) => carrier === segmentTable().lookup(body.phone)?.carrier) ?? Carrier.CMCC,
    amountYuan: body.faceValueYuan,
    callbackUrl: 'http://phantom.invalid/',
  };
  const record = {
    type: 'phantom' as const,
    request,
    carrierOrderId: `C${randomUUID().replaceAll('-', '').slice(0, 20)}`,
    chargeFen: costFen(body.faceValueYuan, books.chargeRate()),
    at: new Date().toISOString(),
  };
  await books.persist(record);
  const order = phantomOrder(record);
  books.phantoms.set(request.requestId, order);
  return { requestId: request.requestId, amountFen: order.chargeFen, time: record.at };
}

/**
 * The simulator's bill and the two ways a test makes it differ from the
 * platform's records: a phantom charge, and a reversal (which the platform
 * hears of by a signed REVERSED callback, as from a real supplier).
 */
export function billRoutes(books: Bookkeeping) {
  return new Hono()
    .get('/bill', (c) => {
      const date = c.req.query('date') ?? '';
      if (!isCalendarDay(date)) return c.json({ error: 'date must be a day, YYYY-MM-DD' }, 400);
      const lines = billOf([...books.orders.values(), ...books.phantoms.values()], date, books.chargeRate());
      return c.body(formatBill(lines), 200, { 'content-type': 'text/csv; charset=utf-8' });
    })
    .post('/phantom-charge', async (c) => {
      const parsed = phantomBody.safeParse(await jsonOf(c.req.raw));
      if (!parsed.success) return c.json({ error: 'invalid phantom charge', issues: parsed.error.issues }, 400);
      return c.json(await phantomCharge(books, parsed.data), 201);
    })
    .post('/reverse', async (c) => {
      const parsed = reverseBody.safeParse(await jsonOf(c.req.raw));
      if (!parsed.success) return c.json({ error: 'invalid reversal', issues: parsed.error.issues }, 400);
      const { requestId } = parsed.data;
      const order = books.orders.get(requestId);
      if (!order) return c.json({ error: `no request ${requestId}` }, 404);
      if (order.state !== 'SUCCESS')
        return c.json({ error: `request ${requestId} is ${order.state}, not SUCCESS` }, 409);
      // Taken back at once (a second reversal sent meanwhile is refused), and put back if the books cannot record it.
      const at = new Date().toISOString();
      Object.assign(order, { state: 'REVERSED', reversedAt: at });
      try {
        await books.persist({ type: 'reversed', requestId, at });
      } catch (error) {
        order.state = 'SUCCESS';
        delete order.reversedAt;
        throw error;
      }
      books.uncharged();
      books.callBack(order);
      return c.json({ requestId, state: order.state, carrierOrderId: order.carrierOrderId, reversedAt: at });
    });
}
