import { createPrisma } from '../../src/db/prisma.ts';
import { ensureDemoMerchant } from '../../src/merchants/demo-merchant.ts';
import { ensureSimulatedSuppliers } from '../../src/suppliers/simulated-suppliers.ts';
import { orderWorkflowId } from '../../src/shared/order-workflow.ts';
import { newCodecKeyEntry } from '../../src/temporal/payload-codec.ts';
import { makeCurrent } from '../../src/temporal/worker-deployment.ts';
import { currentBuildId } from '../../src/util/build-id.ts';
import { freePort, startNodeProcess, waitUntilHealthy } from '../child-processes.ts';
import { CALLBACK_SECRET, type Infrastructure, type TemporalServer } from '../infrastructure.ts';
import { measurePollCost } from '../poll-cost.ts';
import type { ProcessSampler } from '../process-sampler.ts';
import { startMerchantPollers } from './merchant-pollers.ts';
import { finalOrderRows, postOrder, type BenchSystem } from './system.ts';

const MERCHANT_KEY = 'bench-merchant-api-key';

/** The product itself: API, worker and order view, as `npm start` runs them, with its demo merchant paying for the orders. */
export async function startOrderPath(
  infra: Infrastructure,
  temporal: TemporalServer,
  { slaSeconds, poll }: { slaSeconds: number; poll: boolean },
): Promise<BenchSystem> {
  const prisma = createPrisma(infra.databaseUrl, 1);
  await ensureDemoMerchant(prisma, { apiKey: MERCHANT_KEY, callbackSecret: 'bench-merchant-callback-secret' });
  await ensureSimulatedSuppliers(
    prisma,
    Object.entries(infra.supplierUrls).map(([id, baseUrl], i) => ({
      id,
      baseUrl,
      callbackSecret: CALLBACK_SECRET,
      priority: i + 1,
    })),
  );
  await prisma.$disconnect();
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  const version = { deploymentName: 'recharge-orders', buildId: currentBuildId() };
  const env = {
    BUILD_ID: version.buildId,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    PORT: String(port),
    PUBLIC_BASE_URL: apiUrl,
    DATABASE_URL: infra.databaseUrl,
    TEMPORAL_ADDRESS: temporal.address,
    CARRIER_BASE_URL: infra.carrierUrl,
    CARRIER_CALLBACK_SECRET: CALLBACK_SECRET,
    SLA_SECONDS: String(slaSeconds),
    // Payloads encrypted, as in production: the codec's cost is in the figures.
    PAYLOAD_CODEC_KEYS: newCodecKeyEntry('bench-1'),
    // The benchmark measures the platform, not the merchant limit: its one merchant sends bursts of hundreds.
    MERCHANT_RATE_LIMIT_PER_SECOND: '1000000',
  };
  const worker = startNodeProcess('order-worker', 'src/worker/main.ts', env, infra.output);
  const stopWorker = infra.track(worker.stop);
  const api = startNodeProcess('order-api', 'src/api/main.ts', env, infra.output);
  const stopApi = infra.track(api.stop);
  await Promise.all([
    waitUntilHealthy(`${apiUrl}/healthz`),
    makeCurrent(temporal.client.workflowService, 'default', version),
  ]);
  const headers = { authorization: `Bearer ${MERCHANT_KEY}` };
  const pollers = poll ? startMerchantPollers(apiUrl, headers) : undefined;
  // The final write sets updated_at: the moment the view shows the result.
  const view = finalOrderRows(infra.db, 'orders', ['SUCCEEDED', 'FAILED']);

  return {
    name: 'order',
    title: 'Order path (HTTP API, PostgreSQL view, carrier over HTTP, signed callback)',
    processes: [
      { name: api.name, pid: api.pid },
      { name: worker.name, pid: worker.pid },
    ],
    submit: (step, index) =>
      postOrder(
        apiUrl,
        step,
        index,
        headers,
        pollers && ((body) => pollers.track((JSON.parse(body) as { orderId: string }).orderId)),
      ),
    countFinal: view.countFinal,
    async collect(step) {
      const escalated = await infra.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM orders WHERE merchant_order_no LIKE $1 AND escalated_at IS NOT NULL',
        [`${step}-%`],
      );
      return { finals: await view.finals(step), escalations: escalated.rows[0]?.n ?? 0 };
    },
    async sampleWorkflowIds(step, count) {
      const { rows } = await infra.db.query<{ id: string }>(
        'SELECT id FROM orders WHERE merchant_order_no LIKE $1 ORDER BY random() LIMIT $2',
        [`${step}-%`, count],
      );
      return rows.map((row) => orderWorkflowId(row.id));
    },
    async startTimes(step, from, to) {
      const { rows } = await infra.db.query<{ started: number | null }>(
        `SELECT (extract(epoch FROM workflow_started_at) * 1000)::float8 AS started FROM orders
         WHERE merchant_order_no LIKE $1 AND created_at >= to_timestamp($2 / 1000.0) AND created_at < to_timestamp($3 / 1000.0)`,
        [`${step}-%`, from, to],
      );
      return rows.map((row) => row.started);
    },
    ...(poll && {
      async measurePollCost(sampler: ProcessSampler) {
        const { rows } = await infra.db.query<{ id: string }>(
          `SELECT id FROM orders WHERE status IN ('SUCCEEDED', 'FAILED') ORDER BY created_at DESC LIMIT 50`,
        );
        return measurePollCost({ apiUrl, headers, orderIds: rows.map((row) => row.id) }, sampler);
      },
    }),
    async stop() {
      if (pollers) console.log(`merchant pollers: ${JSON.stringify(await pollers.stop())}`);
      await stopApi();
      await stopWorker();
    },
  };
}
