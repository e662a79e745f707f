import { setTimeout as sleep } from 'node:timers/promises';
import type { ProcessSampler } from './process-sampler.ts';

/** What merchants' polls cost by themselves: CPU ms per poll of the API and PostgreSQL. */
export interface PollCost {
  polls: number;
  notModified: number;
  seconds: number;
  perSecond: number;
  cpuMsPerPoll: Record<string, number>;
}

/**
 * Polls `orderIds` (final orders: nothing else runs) conditionally, as the
 * README tells merchants to, at `perSecond` for `seconds` from `concurrency`
 * loops, and divides the API's and PostgreSQL's CPU by the polls.
 */
export async function measurePollCost(
  { apiUrl, headers, orderIds }: { apiUrl: string; headers: Record<string, string>; orderIds: string[] },
  sampler: ProcessSampler,
  { perSecond = 160, seconds = 10, concurrency = 8 } = {},
): Promise<PollCost> {
  const etags = new Map<string, string>();
  let polls = 0;
  let notModified = 0;
  const poll = async (orderId: string) => {
    const etag = etags.get(orderId);
    const response = await fetch(`${apiUrl}/orders/${orderId}`, {
      headers: { ...headers, ...(etag && { 'if-none-match': etag }) },
    });
    await response.arrayBuffer();
    polls += 1;
    if (response.status === 304) notModified += 1;
    else etags.set(orderId, response.headers.get('etag') ?? '');
  };
  // Every order read once, so the measured polls are those of merchants holding an ETag.
  for (const orderId of orderIds) await poll(orderId);
  polls = 0;
  notModified = 0;
  await sleep(1_100); // the sampler's next sample marks the start
  const from = Date.now();
  const until = from + seconds * 1000;
  const everyMs = (1000 * concurrency) / perSecond;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, loop) => {
      await sleep((loop * everyMs) / concurrency);
      while (Date.now() < until) {
        const started = Date.now();
        await poll(orderIds[next++ % orderIds.length] as string);
        await sleep(Math.max(0, everyMs - (Date.now() - started)));
      }
    }),
  );
  await sleep(1_100);
  const usage = sampler.usageBetween(from, Date.now());
  const cpuMs = (name: string) => (usage.find((process) => process.name === name)?.cpuSeconds ?? 0) * 1000;
  const perPoll = (ms: number) => Math.round((ms / Math.max(polls, 1)) * 100) / 100;
  const wall = (Date.now() - from) / 1000;
  return {
    polls,
    notModified,
    seconds: Math.round(wall),
    perSecond: Math.round(polls / ((until - from) / 1000)),
    cpuMsPerPoll: {
      api: perPoll(cpuMs('order-api')),
      postgres: perPoll(cpuMs('postgres')),
      both: perPoll(cpuMs('order-api') + cpuMs('postgres')),
    },
  };
}
