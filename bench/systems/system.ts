import type { PollCost } from '../poll-cost.ts';
import type { ProcessSampler } from '../process-sampler.ts';
import type pg from 'pg';
import type { MeasuredProcess } from '../process-sampler.ts';
import type { StartTimes } from '../temporal-outage.ts';

export type SystemName = 'floor' | 'order' | 'queue';

/** A system under load: how to submit one order and how to see which have a final result. */
export interface BenchSystem {
  name: SystemName;
  title: string;
  /** The processes it adds to the shared infrastructure, measured while it runs. */
  processes: MeasuredProcess[];
  /** Submits order `index` of a step; rejects unless the system accepted it. Resolves to the server's own timings (ms), if it tells them. */
  submit: (step: string, index: number) => Promise<ServerTimings | void>;
  /** How many of the step's orders have a final result. */
  countFinal: (step: string) => Promise<number>;
  /** When each order of the step got its final result (ms epoch), and how many were escalated (null: the system has no escalation). */
  collect: (step: string) => Promise<{ finals: Map<number, number>; escalations: number | null }>;
  /** Workflow ids of up to `count` of the step's orders, to read their histories (undefined: no workflows). */
  sampleWorkflowIds?: (step: string, count: number) => Promise<string[]>;
  /** When each order accepted between two moments got its workflow started (systems that accept before starting). */
  startTimes?: StartTimes;
  /** What merchants' polls alone cost (the order path, with --poll). */
  measurePollCost?: (sampler: ProcessSampler) => Promise<PollCost>;
  stop: () => Promise<void>;
}

/** A step's orders are `<step>-<index>`; the step id has no `_` or `%`, so it is a safe LIKE prefix. */
export const orderKey = (step: string, index: number) => `${step}-${index}`;
export const indexOf = (key: string) => Number(key.slice(key.lastIndexOf('-') + 1));

/**
 * A number of its own per order (index < 10^7), spread over CMCC, CUCC and CTCC, in segments the platform
 * sells (1381000-1381999, 1861000-..., 1891000-...: none a virtual operator's).
 */
export const phoneFor = (index: number) =>
  `${['138', '186', '189'][index % 3]}1${String(index % 1e7).padStart(7, '0')}`;

export type ServerTimings = Record<string, number>;

/** `db;dur=1.2;desc="…", total;dur=3.4` → { db: 1.2, total: 3.4 } */
export function parseServerTiming(header: string | null): ServerTimings {
  const timings: ServerTimings = {};
  for (const metric of header?.split(',') ?? []) {
    const [name, ...params] = metric.trim().split(';');
    const duration = params.find((param) => param.startsWith('dur='));
    if (name && duration) timings[name] = Number(duration.slice(4));
  }
  return timings;
}

/** POSTs an order to a merchant-facing API; anything but 202 Accepted is a rejection. `onAccepted` gets the answer's body. */
export async function postOrder(
  apiUrl: string,
  step: string,
  index: number,
  headers: Record<string, string> = {},
  onAccepted?: (body: string) => void,
): Promise<ServerTimings> {
  const response = await fetch(`${apiUrl}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ merchantOrderNo: orderKey(step, index), phone: phoneFor(index), amount: 50 }),
  });
  const body = await response.text();
  if (response.status !== 202) throw new Error(`HTTP ${response.status}: ${body.slice(0, 200)}`);
  onAccepted?.(body);
  return parseServerTiming(response.headers.get('server-timing'));
}

/** Counts and reads a step's final orders in an order table whose `updated_at` is written with the final status. */
export function finalOrderRows(db: pg.Pool, table: 'orders' | 'queue_orders', finalStatuses: string[]) {
  const where = `merchant_order_no LIKE $1 AND status::text = ANY($2)`;
  const params = (step: string) => [`${step}-%`, finalStatuses];
  return {
    countFinal: async (step: string): Promise<number> => {
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${table} WHERE ${where}`,
        params(step),
      );
      return rows[0]?.n ?? 0;
    },
    finals: async (step: string): Promise<Map<number, number>> => {
      const { rows } = await db.query<{ merchant_order_no: string; updated_at: Date }>(
        `SELECT merchant_order_no, updated_at FROM ${table} WHERE ${where}`,
        params(step),
      );
      return new Map(rows.map((row) => [indexOf(row.merchant_order_no), row.updated_at.getTime()]));
    },
  };
}
