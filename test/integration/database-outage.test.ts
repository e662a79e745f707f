import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { untypedJson } from '../untyped-json.ts';
import { startFreezablePostgres } from './frozen-postgres.ts';
import { ADMIN_TOKEN, eventually, startStack, type Stack } from './harness.ts';

const FREEZE_MS = 10_000;
/** A merchant's client is answered within this, the database away or not. */
const ANSWER_WITHIN_MS = 3_000;

let postgres: Awaited<ReturnType<typeof startFreezablePostgres>>;
let stack: Stack;
beforeAll(async () => {
  postgres = await startFreezablePostgres();
  stack = await startStack({ databaseServerUrl: postgres.url });
}, 120_000);
afterAll(async () => {
  postgres?.thaw();
  await stack?.stop();
  await postgres?.stop();
});

interface Answer {
  path: string;
  status: number;
  ms: number;
  error?: string;
  retryAfter: string | null;
  body: Record<string, unknown>;
}

async function call(path: string, init: RequestInit = {}): Promise<Answer> {
  const started = performance.now();
  const headers = path.startsWith('/admin') ? { authorization: `Bearer ${ADMIN_TOKEN}` } : stack.merchant.headers;
  const response = await fetch(`${stack.apiUrl}${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', ...headers },
    signal: AbortSignal.timeout(FREEZE_MS * 2),
  });
  const json = response.headers.get('content-type')?.startsWith('application/json');
  const body = json ? await untypedJson(response) : { text: await response.text() };
  return {
    path,
    status: response.status,
    ms: performance.now() - started,
    error: body.error as string | undefined,
    retryAfter: response.headers.get('retry-after'),
    body,
  };
}

const submit = (merchantOrderNo: string) =>
  call('/orders', { method: 'POST', body: JSON.stringify({ merchantOrderNo, phone: '13812345678', amount: 10 }) });

it(
  'answers every request within 3 s while PostgreSQL is frozen for 10 s under load (503 naming the database, never 500), and every order ends',
  { timeout: 240_000 },
  async () => {
    const warm = await submit(`M-warm-${randomUUID()}`);
    expect(warm.status).toBe(202);
    const orderNos: string[] = [];
    const answers: Promise<Answer>[] = [];
    postgres.freeze();
    const frozenAt = Date.now();
    for (let i = 0; Date.now() - frozenAt < FREEZE_MS; i++) {
      const orderNo = `M-frozen-${i}-${randomUUID()}`;
      orderNos.push(orderNo);
      answers.push(submit(orderNo));
      answers.push(
        call(`/orders/${warm.body.orderId as string}`),
        call('/balance'),
        call('/admin/orders?status=PROCESSING'),
      );
      if (i % 5 === 0) answers.push(call('/readyz'), call('/healthz'), call('/metrics'));
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    postgres.thaw();
    const settled = await Promise.all(answers);

    const late = settled.filter((answer) => answer.ms > ANSWER_WITHIN_MS);
    expect(late.map(({ path, ms }) => `${path} ${ms.toFixed(0)} ms`)).toEqual([]);
    const unexpected = settled.filter((answer) => answer.status >= 500 && answer.error !== 'database_unavailable');
    expect(unexpected.filter((answer) => !answer.path.startsWith('/readyz'))).toEqual([]);
    const refused = settled.filter((answer) => answer.error === 'database_unavailable');
    expect(refused.length).toBeGreaterThan(0);
    for (const answer of refused) {
      expect(answer.status).toBe(503);
      expect(answer.retryAfter).toMatch(/^\d+$/);
    }
    // The process is alive, and the monitoring still sees it (the gauges the database feeds keep their last value).
    for (const path of ['/healthz', '/metrics'])
      expect(settled.filter((answer) => answer.path === path).every((answer) => answer.status === 200)).toBe(true);
    const readiness = settled.filter((answer) => answer.path === '/readyz');
    expect(readiness.some((answer) => answer.status === 503)).toBe(true);
    for (const answer of readiness.filter(({ status }) => status === 503))
      expect((answer.body.checks as Record<string, string>).database).toMatch(/^unreachable/);

    // The merchants retry what was refused; every order then exists once and ends, nothing needing a restart.
    const orderIds = new Set<string>();
    for (const orderNo of orderNos) {
      const accepted = await eventually(async () => {
        const answer = await submit(orderNo);
        return answer.status === 200 || answer.status === 202 ? answer : undefined;
      }, 30_000);
      orderIds.add(accepted.body.orderId as string);
    }
    expect(orderIds.size).toBe(orderNos.length);
    await eventually(async () => {
      const open = await stack.prisma.order.count({
        where: { id: { in: [...orderIds] }, status: { not: 'SUCCEEDED' } },
      });
      return open === 0 ? true : undefined;
    }, 120_000);
    // Exactly one debit per order, and the balance is the opening less each order's cost (10 yuan at rate 1).
    const orders = orderIds.size + 1;
    const debits = await stack.prisma.ledgerEntry.count({
      where: { merchantId: stack.merchant.id, type: 'ORDER_DEBIT' },
    });
    expect(debits).toBe(orders);
    const balance = await call('/balance');
    expect(balance.body.balanceFen).toBe(1_000_000_000 - orders * 1_000);
    const last = await stack.prisma.ledgerEntry.findFirstOrThrow({
      where: { merchantId: stack.merchant.id },
      orderBy: { id: 'desc' },
    });
    expect(Number(last.balanceAfterFen)).toBe(balance.body.balanceFen);
    expect((await call('/readyz')).status).toBe(200);
  },
);
