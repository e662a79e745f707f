import { setTimeout as sleep } from 'node:timers/promises';
import type { Cluster } from './cluster.ts';

export const FAULT_NAMES = [
  'carrier-outage',
  'worker-kill',
  'api-kill',
  'postgres-restart',
  'temporal-kill',
  'worker-freeze',
  'second-worker-kill',
  'supplier-kill',
  'supplier-partition',
] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

export interface FaultDurations {
  carrierOutageSeconds: number;
  workerFreezeSeconds: number;
  temporalDownSeconds: number;
  /** How long a killed worker or API stays down before it is started again. */
  restartAfterSeconds: number;
  /** How long the workers are cut off from sim-a. */
  partitionSeconds: number;
  /** How long a killed supplier simulator stays down before it is started again on the same port and books. */
  supplierDownSeconds: number;
}

/** One fault as it happened, for the report: times in seconds from the start of the load. */
export interface FaultRecord {
  name: FaultName;
  what: string;
  startedAt: number;
  endedAt: number;
  /** What was seen: the process ids before and after, say. */
  detail?: string;
  error?: string;
}

interface Fault {
  name: FaultName;
  /** When it starts, as a share of the load's duration. */
  at: number;
  /**
   * Faults that must be over (5 s earlier) before this one starts: so that
   * one worker always carries on, and no process is starting up (it may
   * rightly refuse to) while the database restarts.
   */
  after?: FaultName[];
  what(durations: FaultDurations): string;
  /** Injects the fault, waits, recovers; resolves to what it saw. */
  run(cluster: Cluster, durations: FaultDurations): Promise<string | void>;
}

/** The carrier outage hits the supplier routing tries first: its orders must go to the other one. */
const outageSupplier = (cluster: Cluster) => cluster.suppliers[0]!;

const setCarrierOutage = async (cluster: Cluster, outage: boolean) => {
  const response = await fetch(`${outageSupplier(cluster).url}/_sim/behaviour`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ outage }),
  });
  if (!response.ok) throw new Error(`carrier simulator answered ${response.status}`);
};

const requestsPerSupplier = async (cluster: Cluster) =>
  Promise.all(
    cluster.suppliers.map(
      async ({ url }) => ((await (await fetch(`${url}/_sim/stats`)).json()) as { requests: number }).requests,
    ),
  );

const countFinal = async (cluster: Cluster) =>
  (
    await cluster.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM orders WHERE status IN ('SUCCEEDED', 'FAILED')`,
    )
  ).rows[0]?.n ?? 0;

async function killAndRestart(process: Cluster['workers'][number], downSeconds: number) {
  const killed = process.pid();
  await process.kill();
  await sleep(downSeconds * 1000);
  await process.start();
  return `pid ${killed} killed, now pid ${process.pid()}`;
}

/**
 * The schedule: the carrier outage first, so that it is over before the
 * first SLA deadline (a status query the carrier cannot answer escalates an
 * order, which is right, but then needs an operator); the rest spread over
 * the load so that each hits orders in flight.
 */
const FAULTS: Fault[] = [
  {
    name: 'carrier-outage',
    at: 0.05,
    what: (d) =>
      `sim-a (the supplier tried first) down for ${d.carrierOutageSeconds} s: every request 503s, half of them after hanging`,
    async run(cluster, d) {
      const before = await requestsPerSupplier(cluster);
      await setCarrierOutage(cluster, true);
      await sleep(d.carrierOutageSeconds * 1000);
      await setCarrierOutage(cluster, false);
      const during = (await requestsPerSupplier(cluster)).map(
        (requests, i) => `${cluster.suppliers[i]!.id} ${requests - before[i]!}`,
      );
      return `requests meanwhile: ${during.join(', ')} (sim-a's all answered 503)`;
    },
  },
  {
    name: 'worker-kill',
    at: 0.15,
    what: (d) => `kill -9 worker-1, restarted after ${d.restartAfterSeconds} s`,
    run: (c, d) => killAndRestart(c.workers[0]!, d.restartAfterSeconds),
  },
  {
    name: 'api-kill',
    at: 0.25,
    what: (d) => `kill -9 api-1, restarted after ${d.restartAfterSeconds} s`,
    run: (c, d) => killAndRestart(c.apis[0]!, d.restartAfterSeconds),
  },
  {
    name: 'postgres-restart',
    at: 0.35,
    after: ['worker-kill', 'api-kill'],
    what: () => 'PostgreSQL immediate shutdown (SIGQUIT to the postmaster), then started again',
    async run(c) {
      const before = c.database.pid();
      await c.database.crashRestart();
      return `postmaster ${before} gone, now ${c.database.pid()}`;
    },
  },
  {
    name: 'temporal-kill',
    at: 0.45,
    what: (d) => `kill -9 the Temporal server, restarted on the same SQLite file after ${d.temporalDownSeconds} s`,
    run: (c, d) => killAndRestart(c.temporal, d.temporalDownSeconds),
  },
  {
    name: 'worker-freeze',
    at: 0.55,
    after: ['worker-kill'],
    what: (d) => `SIGSTOP worker-1 for ${d.workerFreezeSeconds} s, then SIGCONT`,
    async run(cluster, d) {
      const worker = cluster.workers[0]!;
      const finalBefore = await countFinal(cluster);
      worker.signal('SIGSTOP');
      try {
        await sleep(d.workerFreezeSeconds * 1000);
      } finally {
        worker.signal('SIGCONT');
      }
      return `pid ${worker.pid()} stopped and continued; meanwhile ${(await countFinal(cluster)) - finalBefore} orders became final`;
    },
  },
  {
    name: 'supplier-kill',
    at: 0.75,
    after: ['carrier-outage'],
    what: (d) =>
      `kill -9 sim-b (the carrier simulator), restarted after ${d.supplierDownSeconds} s on the same port, from its books on disk`,
    async run(cluster, d) {
      const supplier = cluster.suppliers[1]!;
      const killed = await killAndRestart(supplier.process, d.supplierDownSeconds);
      const books = (await (await fetch(`${supplier.url}/_sim/charges`)).json()) as { state: string }[];
      const credited = books.filter((charge) => charge.state === 'SUCCESS').length;
      return `${killed}; it came back with ${books.length} requests taken (${credited} credited) from its books`;
    },
  },
  {
    name: 'supplier-partition',
    at: 0.85,
    after: ['supplier-kill'],
    what: (d) =>
      `workers cut off from sim-a for ${d.partitionSeconds} s (its TCP proxy: open connections hang, new ones reset or held), then forwarding resumes`,
    async run(cluster, d) {
      const proxy = cluster.suppliers[0]!.proxy!;
      const finalBefore = await countFinal(cluster);
      proxy.partition();
      let stats;
      try {
        await sleep(d.partitionSeconds * 1000);
      } finally {
        stats = proxy.heal();
      }
      return `connections held ${stats.held + stats.blackholed} (${stats.blackholed} opened during it), reset ${stats.dropped}; meanwhile ${(await countFinal(cluster)) - finalBefore} orders became final`;
    },
  },
  {
    name: 'second-worker-kill',
    at: 0.8,
    after: ['worker-freeze'],
    what: (d) => `kill -9 worker-2, restarted after ${d.restartAfterSeconds} s`,
    run: (c, d) => killAndRestart(c.workers[1]!, d.restartAfterSeconds),
  },
];

/**
 * Runs the chosen faults, each at its moment of a load lasting `loadSeconds`
 * from `startedAt`, logging each with its time; resolves when all are over.
 */
export async function runFaults(
  cluster: Cluster,
  chosen: readonly FaultName[],
  {
    startedAt,
    loadSeconds,
    durations,
    log,
  }: { startedAt: number; loadSeconds: number; durations: FaultDurations; log: (line: string) => void },
): Promise<FaultRecord[]> {
  const since = () => (Date.now() - startedAt) / 1000;
  const ended = new Map<FaultName, Promise<FaultRecord>>();
  const faults = FAULTS.filter((fault) => chosen.includes(fault.name));
  // Each waits (at least one tick) before it looks up the fault it follows, by which time all are in `ended`.
  const runs = faults.map(async (fault): Promise<FaultRecord> => {
    await sleep(Math.max(0, startedAt + fault.at * loadSeconds * 1000 - Date.now()));
    for (const previous of (fault.after ?? []).flatMap((name) => ended.get(name) ?? []))
      await sleep(Math.max(0, startedAt + ((await previous).endedAt + 5) * 1000 - Date.now()));
    const what = fault.what(durations);
    const record: FaultRecord = { name: fault.name, what, startedAt: since(), endedAt: 0 };
    log(`[+${record.startedAt.toFixed(1)} s] fault ${fault.name}: ${what}`);
    try {
      record.detail = (await fault.run(cluster, durations)) ?? undefined;
    } catch (error) {
      record.error = error instanceof Error ? error.message : String(error);
    }
    record.endedAt = since();
    log(
      `[+${record.endedAt.toFixed(1)} s] fault ${fault.name} over${record.detail ? `: ${record.detail}` : ''}${record.error ? ` with an error: ${record.error}` : ''}`,
    );
    return record;
  });
  faults.forEach((fault, i) => ended.set(fault.name, runs[i] as Promise<FaultRecord>));
  return Promise.all(runs);
}
