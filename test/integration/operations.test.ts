import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { temporalCliPath } from '../../src/dev/temporal-binaries.ts';
import { sign, verify } from '../../src/util/signature.ts';
import { orderStateQuery, orderWorkflowId } from '../../src/shared/order-workflow.ts';
import {
  MerchantOrderNoAttribute,
  NeedsReviewAttribute,
  OrderStatusAttribute,
} from '../../src/shared/search-attributes.ts';
import { metricsAddress } from '../setup.ts';
import {
  ADMIN_TOKEN,
  createTestOperator,
  CALLBACK_SECRET,
  HEALTHY_CARRIER,
  TEST_CODEC_SERVER_TOKEN,
  eventually,
  listen,
  startStack,
  type Stack,
} from './harness.ts';
import { recordHistory } from '../workflow/history-fixtures.ts';
import { untypedJson } from '../untyped-json.ts';

const run = promisify(execFile);
const SHORT_SLA_SECONDS = 2;
/** The carrier holds its result longer than the short SLA, so those orders escalate. */
const SLOW_CARRIER = { ...HEALTHY_CARRIER, callbackMinDelayMs: 120_000, callbackMaxDelayMs: 120_000 };

// Real receivers: an alert webhook, and a merchant endpoint that fails its first two deliveries.
const alerts: { orderId: string; merchantId?: string }[] = [];
const merchantDeliveries: {
  body: { orderId: string; status: string; deliveryId: string; timestamp: string };
  signed: boolean;
  headers: [string | undefined, string | undefined];
  answered: number;
}[] = [];
const receivers = new Hono()
  .post('/alerts', async (c) => {
    alerts.push(await c.req.json());
    return c.json({ ok: true });
  })
  .post('/merchant', async (c) => {
    const raw = await c.req.text();
    const answered = merchantDeliveries.length < 2 ? 500 : 200;
    merchantDeliveries.push({
      body: JSON.parse(raw),
      signed: verify(stack.merchant.callbackSecret, raw, c.req.header('X-Signature')),
      headers: [c.req.header('X-Delivery-Id'), c.req.header('X-Timestamp')],
      answered,
    });
    return c.json({ ok: answered === 200 }, answered);
  });

let stack: Stack;
let receiverUrl: string;
let shortSlaApi: string;
let closeReceivers: () => Promise<void>;
beforeAll(async () => {
  const server = await listen(receivers);
  receiverUrl = server.url;
  closeReceivers = server.close;
  // A low continue-as-new threshold, so an escalated order that keeps receiving signals shows it.
  stack = await startStack({
    alertWebhookUrl: `${receiverUrl}/alerts`,
    devServerArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=60'],
  });
  shortSlaApi = await stack.startApiWithSla(SHORT_SLA_SECONDS);
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  await closeReceivers?.();
});
beforeEach(() => stack.simulator.configure(HEALTHY_CARRIER));

const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
/** An operator of the stack (role operator), created once per name. */
const operators = new Map<string, Awaited<ReturnType<typeof createTestOperator>>>();
async function operator(name: string) {
  if (!operators.has(name)) operators.set(name, await createTestOperator(stack.prisma, name, 'operator'));
  return operators.get(name)!;
}
/** JSON bodies under test, asserted field by field. */
const json = untypedJson;
const view = async (orderId: string) =>
  json(await fetch(`${stack.apiUrl}/orders/${orderId}`, { headers: stack.merchant.headers }));

async function submit(api: string, phone: string, extra: Record<string, unknown> = {}): Promise<string> {
  const response = await fetch(`${api}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...stack.merchant.headers },
    body: JSON.stringify({
      merchantOrderNo: `OPS${randomUUID().replaceAll('-', '').slice(0, 16)}`,
      phone,
      amount: 50,
      ...extra,
    }),
  });
  expect(response.status).toBe(202);
  return (await json(response)).orderId;
}

/** Waits until the order view shows `status` (written by another process, so there is no event to await). */
const untilStatus = (orderId: string, status: string) =>
  eventually(async () => ((await view(orderId)).status === status ? true : undefined), 20_000);

/** Submits an order that escalates: slow carrier, short SLA. */
async function escalatedOrder(phone = '13812345678'): Promise<string> {
  stack.simulator.configure(SLOW_CARRIER);
  const orderId = await submit(shortSlaApi, phone);
  await untilStatus(orderId, 'ESCALATED');
  return orderId;
}

/** The `temporal workflow ...` lines of the operations page's block after `marker` (docs/operations.md), exactly as written. */
async function documentedCommands(marker: string): Promise<string[]> {
  const page = await readFile(new URL('../../docs/operations.md', import.meta.url), 'utf8');
  const block = page.slice(page.indexOf(marker)).split('```sh\n')[1]?.split('```')[0] ?? '';
  return block.split('\n').filter((line) => line.startsWith('temporal workflow'));
}

/** Runs a command line through bash with the project's `temporal` CLI, pointed at the test's dev server. */
async function cli(line: string): Promise<string> {
  const { stdout } = await run('bash', ['-c', line], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: stack.env.address,
      // As the operations page has operators set them once: the CLI decodes the encrypted payloads through the codec server.
      TEMPORAL_CODEC_ENDPOINT: stack.codecUrl,
      TEMPORAL_CODEC_AUTH: `Bearer ${TEST_CODEC_SERVER_TOKEN}`,
      PATH: `${dirname(temporalCliPath())}:${process.env.PATH}`,
    },
  });
  return stdout;
}

const workflowIdsIn = (output: string) =>
  output
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => (JSON.parse(line) as { execution: { workflowId: string } }).execution.workflowId)
    .sort();

describe('operations against the real dev server, CLI, carrier simulator and PostgreSQL', () => {
  it('finds exactly the right orders with the operations page visibility queries', async () => {
    const escalated = await escalatedOrder('13812345678');
    stack.simulator.configure(SLOW_CARRIER);
    const processing = await submit(stack.apiUrl, '18912345678'); // CTCC, waits for its callback
    await untilStatus(processing, 'PROCESSING');
    stack.simulator.configure({ ...HEALTHY_CARRIER, refusalRate: 1 });
    const failedCucc = await submit(stack.apiUrl, '18612345678');
    const failedCmcc = await submit(stack.apiUrl, '13912345678');
    await Promise.all([untilStatus(failedCucc, 'FAILED'), untilStatus(failedCmcc, 'FAILED')]);
    stack.simulator.configure(HEALTHY_CARRIER);
    const succeededCucc = await submit(stack.apiUrl, '13012345678');
    await untilStatus(succeededCucc, 'SUCCEEDED');

    const [allEscalated, stillOpen, carrierFailures, , merchantEscalated] =
      await documentedCommands('<!-- visibility-queries');
    expect(stillOpen).toContain("'-3 min'");
    expect(merchantEscalated).toContain("MerchantId = 'demo'");
    const expected = [
      [allEscalated, [escalated]],
      // Orders this young cannot be 3 minutes old: the same query with an age of 1 second.
      [stillOpen?.replace("'-3 min'", "'-1 sec'"), [processing]],
      [carrierFailures, [failedCucc]],
      // The same query for this stack's merchant, and for one with no orders.
      [merchantEscalated?.replace("'demo'", `'${stack.merchant.id}'`), [escalated]],
      [merchantEscalated, []],
    ] as const;
    for (const [query, orderIds] of expected) {
      const wanted = orderIds.map(orderWorkflowId).sort();
      // Visibility is eventually consistent: wait until the listing matches, failing after the deadline.
      const found = await eventually(async () => {
        const ids = workflowIdsIn(await cli(`${query} -o jsonl`));
        return JSON.stringify(ids) === JSON.stringify(wanted) ? ids : undefined;
      }).catch(async () => workflowIdsIn(await cli(`${query} -o jsonl`)));
      expect(found, query).toEqual(wanted);
    }
  });

  it('runs the operations page commands: query, retry and resolve Updates, and a refused signal', async () => {
    const orderId = await escalatedOrder();
    const [query, retry, resolve, signal] = (await documentedCommands('<!-- operator-actions')).map((line) =>
      line.replaceAll('<orderId>', orderId),
    );
    expect(await cli(query as string)).toContain('"status":"ESCALATED"');
    expect(await cli(retry as string)).toContain('not re-submitted: the supplier already has the order (PROCESSING)');
    expect(await cli(resolve as string)).toContain('resolved FAILED by alice');
    await cli(signal as string);
    const state = await stack.env.client.workflow.getHandle(orderWorkflowId(orderId)).query(orderStateQuery);
    expect(state.timeline.find((e) => e.type === 'operator-decision-refused')?.detail).toMatchObject({
      operator: 'bob',
      reason: 'order is already decided: FAILED (operator)',
    });
    expect(await untilStatus(orderId, 'FAILED')).toBe(true);
  });

  it('guards the admin API with the bearer token', async () => {
    expect((await fetch(`${stack.apiUrl}/admin/orders`)).status).toBe(401);
    expect(
      (await fetch(`${stack.apiUrl}/admin/orders`, { headers: { authorization: 'Bearer wrong-token' } })).status,
    ).toBe(403);
    expect((await fetch(`${stack.apiUrl}/admin/orders`, { headers: admin })).status).toBe(200);
  });

  it('lists escalated orders by age, resolves one with who and why, refuses a second decision, and alerts on-call', async () => {
    const orderId = await escalatedOrder();
    const listed = await json(
      await fetch(`${stack.apiUrl}/admin/orders?status=ESCALATED&olderThanSeconds=1`, { headers: admin }),
    );
    expect(listed.orders.map((o: { orderId: string }) => o.orderId)).toContain(orderId);
    const young = await json(
      await fetch(`${stack.apiUrl}/admin/orders?status=ESCALATED&olderThanSeconds=3600`, { headers: admin }),
    );
    expect(young.orders.map((o: { orderId: string }) => o.orderId)).not.toContain(orderId);

    const detail = await json(await fetch(`${stack.apiUrl}/admin/orders/${orderId}`, { headers: admin }));
    expect(detail).toMatchObject({ status: 'ESCALATED', live: { status: 'ESCALATED' } });
    expect(detail.history.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['submitted', 'carrier-accepted', 'carrier-status-queried', 'escalated']),
    );

    // Each operator with a token of their own: the audit trail names the token's holder.
    const [alice, bob] = [await operator('alice'), await operator('bob')];
    const resolve = (outcome: string, who: typeof alice) =>
      fetch(`${stack.apiUrl}/admin/orders/${orderId}/resolve`, {
        method: 'POST',
        headers: who.headers,
        body: JSON.stringify({ outcome, note: 'checked with carrier' }),
      });
    const first = await resolve('SUCCEEDED', alice);
    expect(first.status).toBe(200);
    expect(await json(first)).toEqual({ status: 'SUCCEEDED', message: 'resolved SUCCEEDED by alice' });
    const second = await resolve('FAILED', bob);
    expect(second.status).toBe(409);
    expect(await json(second)).toMatchObject({
      error: 'action_refused',
      message: 'order is already decided: SUCCEEDED (operator)',
    });

    await untilStatus(orderId, 'SUCCEEDED');
    const after = await view(orderId);
    expect(after).toMatchObject({ status: 'SUCCEEDED', failureReason: null });
    const history = after.history as { type: string; detail: Record<string, unknown> }[];
    expect(history.find((e) => e.type === 'finished')?.detail).toMatchObject({
      resolvedBy: 'operator',
      reason: 'operator alice: checked with carrier',
    });
    expect(history.find((e) => e.type === 'operator-action-refused')?.detail).toMatchObject({
      operator: 'bob',
      action: 'resolve',
    });

    const alert = await eventually(async () => alerts.find((a) => a.orderId === orderId));
    expect(alert).toMatchObject({ type: 'recharge-order-escalated', merchantId: stack.merchant.id, carrier: 'CMCC' });
    const metrics = await (await fetch(`http://${metricsAddress}/metrics`)).text();
    expect(metrics).toMatch(/recharge_order_escalations\{[^}]*carrier="CMCC"[^}]*\} [1-9]/);
  });

  it('flags a late carrier callback that contradicts an operator decision, without overriding it', async () => {
    const orderId = await escalatedOrder();
    await fetch(`${stack.apiUrl}/admin/orders/${orderId}/resolve`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ outcome: 'FAILED', note: 'no credit seen' }),
    });
    await untilStatus(orderId, 'FAILED');
    const raw = JSON.stringify({
      orderId,
      carrierOrderId: 'C-late',
      status: 'SUCCESS',
      timestamp: new Date().toISOString(),
    });
    const response = await fetch(`${stack.apiUrl}/callbacks/carrier`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Signature': sign(CALLBACK_SECRET, raw) },
      body: raw,
    });
    expect(response.status).toBe(200);

    const flagged = await eventually(async () => {
      const current = await view(orderId);
      return current.needsReview ? current : undefined;
    });
    expect(flagged).toMatchObject({
      status: 'FAILED',
      needsReview: true,
      reviewReason: expect.stringContaining('carrier reported SUCCESS'),
    });
    const attributes = await eventually(async () => {
      const found = (await stack.env.client.workflow.getHandle(orderWorkflowId(orderId)).describe())
        .typedSearchAttributes;
      return found.get(NeedsReviewAttribute) ? found : undefined;
    });
    expect(attributes.get(NeedsReviewAttribute)).toBe(true);
  });

  it(
    'continues a long-waiting escalated order as new, keeping its state, and still takes decisions',
    { timeout: 60_000 },
    async () => {
      const orderId = await escalatedOrder();
      const handle = stack.env.client.workflow.getHandle(orderWorkflowId(orderId));
      const firstRun = (await handle.describe()).runId;
      // Decisions it must refuse (not escalated... yet valid JSON) grow the history without changing the order.
      for (let i = 0; i < 20; i++)
        await handle.signal('operatorDecision', {
          action: 'resolve',
          outcome: 'SUCCESS',
          note: 'typo',
          operator: `op${i}`,
        });
      // Twenty signals, each with a view write, on a loaded machine: give it time.
      const secondRun = await eventually(async () => {
        const { runId } = await handle.describe();
        return runId !== firstRun ? runId : undefined;
      }, 30_000);
      await recordHistory(
        stack.env.client.workflow.getHandle(orderWorkflowId(orderId), firstRun),
        'escalated-continued-as-new',
      );
      const state = await stack.env.client.workflow
        .getHandle(orderWorkflowId(orderId), secondRun)
        .query(orderStateQuery);
      expect(state).toMatchObject({ orderId, status: 'ESCALATED', escalatedAt: expect.any(String) });
      expect(state.timeline.some((e) => e.type === 'continued-as-new')).toBe(true);
      const attributes = (await handle.describe()).typedSearchAttributes;
      expect([attributes.get(OrderStatusAttribute), attributes.get(MerchantOrderNoAttribute)]).toEqual([
        'ESCALATED',
        state.merchantOrderNo,
      ]);

      const resolved = await fetch(`${stack.apiUrl}/admin/orders/${orderId}/resolve`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ outcome: 'FAILED', note: 'after continue-as-new' }),
      });
      expect(resolved.status).toBe(200);
      await untilStatus(orderId, 'FAILED');
      // The event sequence carried over: the new run's writes did not collide with the old run's.
      const types = (await view(orderId)).history.map((e: { type: string }) => e.type);
      expect(types.filter((t: string) => t === 'operator-decision-refused')).toHaveLength(20);
      expect(types.filter((t: string) => t === 'finished')).toHaveLength(1);
    },
  );

  it('tells the merchant the result, retrying until it answers, and re-sends on an admin request', async () => {
    const orderId = await submit(stack.apiUrl, '13812345678', { notifyUrl: `${receiverUrl}/merchant` });
    const delivered = await eventually(async () => {
      const current = await view(orderId);
      return current.notifyStatus === 'DELIVERED' ? current : undefined;
    });
    expect(delivered).toMatchObject({ status: 'SUCCEEDED', notifyAttempts: 3, notifyLastError: null });
    expect(merchantDeliveries.map((d) => [d.body.orderId, d.body.status, d.signed, d.answered])).toEqual([
      [orderId, 'SUCCEEDED', true, 500],
      [orderId, 'SUCCEEDED', true, 500],
      [orderId, 'SUCCEEDED', true, 200],
    ]);
    // Each delivery has an id of its own and its time, signed in the body and repeated in headers.
    expect(new Set(merchantDeliveries.map((d) => d.body.deliveryId)).size).toBe(3);
    for (const { body, headers } of merchantDeliveries) {
      expect(headers).toEqual([body.deliveryId, body.timestamp]);
      expect(Date.now() - Date.parse(body.timestamp)).toBeLessThan(60_000);
    }

    const resend = await fetch(`${stack.apiUrl}/admin/orders/${orderId}/notifications`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ note: 'merchant lost it' }),
    });
    expect(resend.status).toBe(202);
    await eventually(async () => (merchantDeliveries.length === 4 ? true : undefined));
    expect((await view(orderId)).history.map((e: { type: string }) => e.type)).toContain(
      'notification-resend-requested',
    );
  });
});
