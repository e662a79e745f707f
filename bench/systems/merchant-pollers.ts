import { setTimeout as sleep } from 'node:timers/promises';

const FINAL = new Set(['SUCCEEDED', 'FAILED']);

/**
 * Merchants polling their open orders, as real ones do while they wait:
 * `concurrency` loops, each reading the next open order (`GET /orders/:id`)
 * every `everyMs`, until the order is final.
 */
export function startMerchantPollers(
  apiUrl: string,
  headers: Record<string, string>,
  { concurrency = 8, everyMs = 50 } = {},
) {
  const open: string[] = [];
  let next = 0;
  let running = true;
  let polls = 0;
  let failures = 0;

  async function pollOne(orderId: string) {
    try {
      const response = await fetch(`${apiUrl}/orders/${orderId}`, { headers });
      const { status } = (await response.json()) as { status?: string };
      polls += 1;
      if (!response.ok) failures += 1;
      else if (status && FINAL.has(status)) open.splice(open.indexOf(orderId), 1);
    } catch {
      failures += 1;
    }
  }

  async function loop() {
    while (running) {
      const orderId = open.length > 0 ? open[next++ % open.length] : undefined;
      if (orderId) await pollOne(orderId);
      await sleep(everyMs);
    }
  }
  const loops = Array.from({ length: concurrency }, loop);

  return {
    /** An accepted order the merchant now waits for. */
    track: (orderId: string) => void open.push(orderId),
    async stop(): Promise<{ polls: number; failures: number }> {
      running = false;
      await Promise.all(loops);
      return { polls, failures };
    },
  };
}
