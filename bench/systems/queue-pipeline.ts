import { Redis } from 'ioredis';
import { freePort, startNodeProcess, waitUntilHealthy } from '../child-processes.ts';
import { CALLBACK_SECRET, type Infrastructure } from '../infrastructure.ts';
import { createQueueOrderTable, ORDERS_LIST, RESULTS_LIST } from '../queue-pipeline/shared.ts';
import { finalOrderRows, postOrder, type BenchSystem } from './system.ts';

/** A Redis connection that fails at once, with a message saying what needs it, instead of retrying for ever. */
export async function connectRedis(redisUrl: string): Promise<Redis> {
  const redis = new Redis(redisUrl, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  await redis.connect().catch((error: Error) => {
    redis.disconnect();
    throw new Error(`the queue pipeline needs Redis at ${redisUrl} (--redis-url): ${error.message}`);
  });
  return redis;
}

/** The design documents' pipeline over Redis lists, with the same carrier simulator and PostgreSQL. */
export async function startQueuePipeline(
  infra: Infrastructure,
  { redisUrl }: { redisUrl: string },
): Promise<BenchSystem> {
  const redis = await connectRedis(redisUrl);
  const disconnect = infra.track(() => Promise.resolve(redis.disconnect()));
  const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]);
  await redis.del(ORDERS_LIST, RESULTS_LIST);
  await createQueueOrderTable(infra.db);

  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  const env = {
    DATABASE_URL: infra.databaseUrl,
    REDIS_URL: redisUrl,
    PORT: String(port),
    CARRIER_BASE_URL: infra.carrierUrl,
    CARRIER_CALLBACK_SECRET: CALLBACK_SECRET,
    CALLBACK_URL: `${apiUrl}/callbacks/carrier`,
  };
  const children = [
    startNodeProcess('queue-api', 'bench/queue-pipeline/api.ts', env, infra.output),
    startNodeProcess('queue-recharger', 'bench/queue-pipeline/recharger.ts', env, infra.output),
    startNodeProcess('queue-updater', 'bench/queue-pipeline/updater.ts', env, infra.output),
  ];
  const stops = children.map((child) => infra.track(child.stop));
  await waitUntilHealthy(`${apiUrl}/health`);
  const table = finalOrderRows(infra.db, 'queue_orders', ['success', 'failed']);

  return {
    name: 'queue',
    title: "Design documents' queue pipeline (Redis lists, consumers, PostgreSQL)",
    processes: [
      ...children.map((child) => ({ name: child.name, pid: child.pid })),
      ...(redisPid ? [{ name: 'redis', pid: redisPid }] : []),
    ],
    submit: (step, index) => postOrder(apiUrl, step, index),
    countFinal: table.countFinal,
    collect: async (step) => ({ finals: await table.finals(step), escalations: null }),
    async stop() {
      for (const stop of stops) await stop();
      await disconnect();
    },
  };
}
