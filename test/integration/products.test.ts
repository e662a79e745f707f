import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCarrierSimulator } from '../../src/carrier-sim/simulator.ts';
import { ProvinceAttribute, SpeedAttribute } from '../../src/shared/search-attributes.ts';
import { untypedJson as json } from '../untyped-json.ts';
import {
  ADMIN_TOKEN,
  CALLBACK_SECRET,
  HEALTHY_CARRIER,
  TEST_SUPPLIER_ID,
  createTestMerchant,
  eventually,
  listen,
  startStack,
  type Stack,
} from './harness.ts';

/**
 * What a merchant can buy, and where its order goes, over the real API,
 * database, worker and simulators: the stack's national supplier `sim`
 * (fast and slow, priority 1) and `gd`, a provincial channel for 广东 that
 * sells CMCC slow recharge only, also priority 1.
 */
const BEIJING = '13800138000';
const GUANGZHOU = '13600031234';
/** China Broadcast Network (192): a known segment no supplier sells. */
const CBN = '19212345678';
const UNKNOWN = '14000000000';

let stack: Stack;
let merchant: Awaited<ReturnType<typeof createTestMerchant>>;
const cleanups: (() => Promise<unknown>)[] = [];

const admin = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${stack.apiUrl}/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: await json(response) };
};
const asMerchant = async (path: string, init: { body?: unknown; headers?: Record<string, string> } = {}) => {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: { ...(init.headers ?? merchant.headers), 'content-type': 'application/json' },
    ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
  });
  return { status: response.status, body: await json(response) };
};
const order = (phone: string, fields: Record<string, unknown> = {}) =>
  asMerchant('/orders', { body: { merchantOrderNo: `P-${randomUUID().slice(0, 20)}`, phone, amount: 50, ...fields } });

beforeAll(async () => {
  stack = await startStack();
  merchant = await createTestMerchant(stack.prisma, {
    rates: { CMCC: '1', CUCC: '1', CTCC: '1', slow: { CMCC: '0.98' } },
  });
  const gd = createCarrierSimulator(CALLBACK_SECRET, HEALTHY_CARRIER);
  const gdServer = await listen(gd.app);
  cleanups.push(gdServer.close, async () => gd.stop());
  const created = await admin('POST', '/suppliers', {
    id: 'gd',
    name: 'Guangdong slow channel',
    baseUrl: gdServer.url,
    callbackSecret: CALLBACK_SECRET,
    carriers: ['CMCC'],
    faceValuesYuan: [50, 100],
    rates: { CMCC: 0.95 },
    provinces: ['广东'],
    speeds: ['slow'],
    priority: 1,
    weight: 1,
    rateLimitPerSecond: 100,
    concurrencyLimit: 10,
  });
  expect(created).toMatchObject({ status: 201, body: { provinces: ['广东'], speeds: ['slow'] } });
  await admin('POST', '/suppliers/gd/top-ups', { amountFen: 10_000_000, requestId: 'gd-opening', note: 'prepaid' });
  await stack.supplierWorkers.sync();
}, 60_000);
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
  await stack?.stop();
});

describe('numbers: where a number is (归属地查询)', () => {
  it('names the carrier, province and city of a number’s segment', async () => {
    expect(await asMerchant(`/numbers/${BEIJING}`)).toEqual({
      status: 200,
      body: { segment: '1380013', carrier: 'CMCC', province: '北京', city: '北京', virtual: false },
    });
    expect(await asMerchant(`/numbers/${UNKNOWN}`)).toMatchObject({ status: 404, body: { error: 'unknown_segment' } });
    expect(await asMerchant('/numbers/1380013800')).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect((await asMerchant(`/numbers/${BEIJING}`, { headers: {} })).status).toBe(401);
  });
});

describe('routing by province and speed', () => {
  /** The order once SUCCEEDED, as the admin API shows it (with its supplier). */
  const succeeded = (orderId: string) =>
    eventually(async () => {
      const { body } = await admin('GET', `/orders/${orderId}`);
      return body.status === 'SUCCEEDED' ? body : undefined;
    }, 20_000);

  it('sends a slow Guangdong order to the provincial channel, before the national one of its priority', async () => {
    const accepted = await order(GUANGZHOU, { speed: 'slow' });
    expect(accepted).toMatchObject({
      status: 202,
      body: { province: '广东', city: '广州', speed: 'slow', costFen: 4900 },
    });
    const { createdAt, slaDeadline } = accepted.body;
    expect(Date.parse(slaDeadline) - Date.parse(createdAt)).toBe(86_400_000);
    expect(await succeeded(accepted.body.orderId)).toMatchObject({ supplierId: 'gd', supplierCostFen: 4750 });
    const attributes = (await (await stack.workflowOf(accepted.body.orderId)).describe()).typedSearchAttributes;
    expect([attributes.get(ProvinceAttribute), attributes.get(SpeedAttribute)]).toEqual(['广东', 'slow']);
  });

  it('sends what the provincial channel does not sell (fast, or another province) to the national one', async () => {
    const fast = await order(GUANGZHOU);
    expect(fast.body).toMatchObject({ speed: 'fast', costFen: 5000 });
    expect(Date.parse(fast.body.slaDeadline) - Date.parse(fast.body.createdAt)).toBe(180_000);
    const beijingSlow = await order(BEIJING, { speed: 'slow' });
    for (const { body } of [fast, beijingSlow])
      expect(await succeeded(body.orderId)).toMatchObject({ supplierId: TEST_SUPPLIER_ID });
  });

  it('reports the margin by province and speed', async () => {
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const { body } = await admin('GET', `/reports/margin?from=${day(-1)}&to=${day(1)}`);
    expect(body.rows).toContainEqual(
      expect.objectContaining({ supplierId: 'gd', carrier: 'CMCC', province: '广东', speed: 'slow', marginFen: 150 }),
    );
  });
});

describe('the catalogue, and orders for what is not in it', () => {
  const balance = async () => (await asMerchant('/balance')).body.balanceFen as number;

  it('lists what the merchant can buy for a number, at its own fast and slow prices', async () => {
    const { status, body } = await asMerchant(`/products?phone=${GUANGZHOU}`);
    expect(status).toBe(200);
    expect(body.number).toMatchObject({ carrier: 'CMCC', province: '广东' });
    expect(body.products).toContainEqual({
      carrier: 'CMCC',
      province: '广东',
      faceValueYuan: 50,
      speed: 'slow',
      priceFen: 4900,
    });
    expect(body.products).toContainEqual({
      carrier: 'CMCC',
      province: '广东',
      faceValueYuan: 500,
      speed: 'fast',
      priceFen: 50_000,
    });
    // No slow rate for CUCC: a CUCC number has fast products only.
    const cucc = await asMerchant('/products?phone=18612345678');
    expect(cucc.body.products.map((p: { speed: string }) => p.speed)).not.toContain('slow');
    expect(await asMerchant(`/products?phone=${UNKNOWN}`)).toMatchObject({ status: 404 });
    expect((await asMerchant(`/products?phone=${CBN}`)).body).toMatchObject({
      number: { carrier: 'CBN' },
      products: [],
    });
  });

  it('shows a provincial product under its province once no national supplier sells it, and refuses it elsewhere', async () => {
    expect((await admin('PATCH', `/suppliers/${TEST_SUPPLIER_ID}`, { speeds: ['fast'] })).status).toBe(200);
    try {
      const products = await eventually(async () => {
        const { body } = await asMerchant('/products');
        return body.products.some((p: { speed: string; province: string | null }) => p.speed === 'slow' && p.province)
          ? (body.products as { speed: string; province: string | null; faceValueYuan: number }[])
          : undefined;
      });
      expect(products.filter((p) => p.speed === 'slow')).toEqual([
        { carrier: 'CMCC', province: '广东', faceValueYuan: 50, speed: 'slow', priceFen: 4900 },
        { carrier: 'CMCC', province: '广东', faceValueYuan: 100, speed: 'slow', priceFen: 9800 },
      ]);
      expect(products.filter((p) => p.speed === 'fast').every((p) => p.province === null)).toBe(true);
      const before = await balance();
      for (const [phone, fields] of [
        [BEIJING, { speed: 'slow' }],
        [GUANGZHOU, { speed: 'slow', amount: 20 }],
      ] as const) {
        const refused = await order(phone, fields);
        expect(refused).toMatchObject({ status: 422, body: { error: 'product_unavailable' } });
      }
      expect(await balance()).toBe(before);
    } finally {
      await admin('PATCH', `/suppliers/${TEST_SUPPLIER_ID}`, { speeds: ['fast', 'slow'] });
    }
  });

  it('refuses an unknown segment, a number no supplier sells and a speed the merchant has no price for, storing nothing', async () => {
    const noSlowRates = await createTestMerchant(stack.prisma);
    const before = await balance();
    const merchantOrderNo = `P-${randomUUID().slice(0, 20)}`;
    expect(await order(UNKNOWN, { merchantOrderNo })).toMatchObject({
      status: 422,
      body: { error: 'unknown_segment' },
    });
    expect(await order(CBN, { merchantOrderNo })).toMatchObject({
      status: 422,
      body: { error: 'product_unavailable' },
    });
    const slow = { merchantOrderNo, phone: BEIJING, amount: 50, speed: 'slow' };
    expect(await asMerchant('/orders', { body: slow, headers: noSlowRates.headers })).toMatchObject({
      status: 422,
      body: { error: 'product_unavailable' },
    });
    expect(await balance()).toBe(before);
    expect(await stack.prisma.order.count({ where: { merchantOrderNo } })).toBe(0);
  });
});
