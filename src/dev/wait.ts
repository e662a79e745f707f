import { setTimeout as sleep } from 'node:timers/promises';
import { Connection, type Client } from '@temporalio/client';

/** Polls `probe` until it resolves true; for start-up only, where there is no event to wait on. */
export async function pollUntil(probe: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} did not come up within ${timeoutMs / 1000} s`);
    await sleep(200);
  }
}

export const waitUntilHealthy = (url: string, timeoutMs = 60_000) =>
  pollUntil(async () => (await fetch(url)).ok, url, timeoutMs);

export const waitUntilTemporalServes = (address: string, timeoutMs = 30_000) =>
  pollUntil(
    async () => {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.healthService.check({});
        return true;
      } finally {
        await connection.close();
      }
    },
    `Temporal at ${address}`,
    timeoutMs,
  );

/** Until a worker polls the task queue: an order started before then would wait for it. */
export const waitForWorker = (client: Client, taskQueue: string, timeoutMs = 60_000) =>
  pollUntil(
    async () => {
      const { pollers } = await client.workflowService.describeTaskQueue({
        namespace: client.options.namespace,
        taskQueue: { name: taskQueue },
        taskQueueType: 1,
      });
      return (pollers?.length ?? 0) > 0;
    },
    `a worker on ${taskQueue}`,
    timeoutMs,
  );
