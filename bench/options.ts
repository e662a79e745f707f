import { parseArgs } from 'node:util';
import type { SystemName } from './systems/system.ts';

type Plan = 'compare' | 'soak' | 'smoke';
const PLANS: Record<Plan, { saturationSeconds: number; duration: number; warmup: number; rate?: number }> = {
  /** Each system saturated in turn; the floor and the order path then run a minute at half the floor's saturated rate. */
  compare: { saturationSeconds: 15, duration: 60, warmup: 100 },
  /** The order path at a steady rate for five minutes: does the worker's memory stay flat? */
  soak: { saturationSeconds: 0, duration: 300, warmup: 100 },
  /** A few orders through each system: does the harness work (CI). */
  smoke: { saturationSeconds: 2, duration: 5, warmup: 10, rate: 10 },
};

/** Offered rates well above what each system can do on a 2-core machine, so each one saturates. */
export const SATURATING_RATE = { floor: 100, order: 100, queue: 1000 } as const;

export const USAGE = `npm run bench -- [options]
  --plan compare|soak|smoke   compare (default): saturate each system; the floor and the order path then run
                              a minute at half the floor's saturated rate
                              soak: the order path at a steady rate for 5 minutes; smoke: a few orders each (CI)
  --systems floor,order,queue systems to run (default: all three; soak: order)
  --saturation-seconds S      seconds of offered load in a saturation step (compare 15, smoke 2; 0 skips saturation)
  --count N                   orders per saturation step instead (rate × seconds by default)
  --rate N                    offered orders/s of a saturation step, above what the system can do
                              (default floor 100, order 100, queue 1000; smoke 10)
  --steady-rate N             orders/s of the steady steps (default: half the floor's saturated throughput, else 15)
  --duration S                seconds of the steady step (compare 60, soak 300, smoke 5; 0 skips it)
  --warmup N                  orders sent to each system at 10/s before measuring, not reported (compare 100, smoke 10)
  --carrier-latency MS        the carrier's answer delay (default 0)
  --callback-delay MIN-MAX    the carrier's callback comes MIN to MAX ms after its answer (default: the answer delay),
                              e.g. 100-1000
  --sla-seconds S             the orders' SLA (default 180)
  --database-url URL          PostgreSQL server to create the benchmark database in (default: an embedded one)
  --redis-url URL             Redis of the queue pipeline (default redis://127.0.0.1:6379)
  --out DIR                   where result.json, result.md and logs/ go (default bench-results/<time>)
  --drain-timeout S           how long to wait for final results after the load (default 120)
  --server-config KEY=VALUE   dynamic config of the dev server, repeatable
                              (e.g. system.enableActivityEagerExecution=true, history.cacheMaxSize=4096)
  --temporal-outage AT:DOWN   the order path's steady step kills the Temporal server (kill -9) AT s into the step and
                              restarts it on the same database DOWN s later; the report shows the submissions meanwhile
                              and how soon after the return the orders accepted meanwhile started
  --supplier-outage           the order path gets a step at the steady rate for --duration s (30 if 0) with sim-a answering
                              every recharge 503: the report shows which supplier credited each order, and that no phone
                              was credited twice
  --poll                      merchants poll their open orders during the order path's steps
                              (8 concurrent GET /orders/:id, each every 50 ms, until the order is final)
  --profile                   write V8 CPU profiles of the Node processes to <out>/profiles (see bench/profile-summary.ts)`;

export type BenchOptions = ReturnType<typeof parseBenchOptions>;

export function parseBenchOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      plan: { type: 'string', default: 'compare' },
      systems: { type: 'string' },
      'saturation-seconds': { type: 'string' },
      count: { type: 'string' },
      rate: { type: 'string' },
      'steady-rate': { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      'carrier-latency': { type: 'string', default: '0' },
      'callback-delay': { type: 'string' },
      'temporal-outage': { type: 'string' },
      'sla-seconds': { type: 'string', default: '180' },
      'database-url': { type: 'string' },
      'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379' },
      out: { type: 'string' },
      'drain-timeout': { type: 'string', default: '120' },
      profile: { type: 'boolean', default: false },
      poll: { type: 'boolean', default: false },
      'supplier-outage': { type: 'boolean', default: false },
      'server-config': { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (!Object.hasOwn(PLANS, values.plan)) throw new Error(`--plan must be one of ${Object.keys(PLANS).join(', ')}`);
  const plan = values.plan as Plan;
  const number = (name: string, value: string | undefined, fallback: number, minimum = 0) => {
    const parsed = value === undefined ? fallback : Number(value);
    if (!Number.isFinite(parsed) || parsed < minimum)
      throw new Error(`--${name} must be a number ≥ ${minimum}, got ${value}`);
    return parsed;
  };
  const rate = (name: string, value: string | undefined) =>
    value === undefined ? undefined : number(name, value, 0, 0.1);
  const systems = (values.systems ?? (plan === 'soak' ? 'order' : 'floor,order,queue')).split(',') as SystemName[];
  const unknown = systems.filter((system) => !['floor', 'order', 'queue'].includes(system));
  if (unknown.length) throw new Error(`unknown system(s): ${unknown.join(', ')}`);
  const steadyRate = rate('steady-rate', values['steady-rate']);
  const carrierLatencyMs = number('carrier-latency', values['carrier-latency'], 0);
  return {
    help: values.help ?? false,
    plan,
    systems,
    saturationSeconds: number('saturation-seconds', values['saturation-seconds'], PLANS[plan].saturationSeconds),
    /** Overrides rate × saturationSeconds. */
    count: values.count === undefined ? undefined : number('count', values.count, 0, 1),
    /** Overrides SATURATING_RATE for every system. */
    rate: rate('rate', values.rate) ?? PLANS[plan].rate,
    steadyRate,
    durationSeconds: number('duration', values.duration, PLANS[plan].duration),
    warmup: number('warmup', values.warmup, PLANS[plan].warmup),
    carrierLatencyMs,
    callbackDelayMs:
      values['callback-delay'] === undefined
        ? { min: carrierLatencyMs, max: carrierLatencyMs }
        : range(values['callback-delay']),
    /** Seconds into the order path's steady step, and for how long, the Temporal server is down. */
    temporalOutage: values['temporal-outage'] === undefined ? undefined : outage(values['temporal-outage']),
    slaSeconds: number('sla-seconds', values['sla-seconds'], 180),
    databaseUrl: values['database-url'],
    redisUrl: values['redis-url'],
    outDir: values.out ?? `bench-results/${new Date().toISOString().replace(/[:.]/g, '-')}`,
    drainTimeoutMs: number('drain-timeout', values['drain-timeout'], 120) * 1000,
    profile: values.profile ?? false,
    /** Merchants poll their open orders during the order path's steps. */
    poll: values.poll ?? false,
    /** The order path runs a step with sim-a failing every recharge. */
    supplierOutage: values['supplier-outage'] ?? false,
    serverConfig: values['server-config'],
  };
}

/** `100-1000` → { min: 100, max: 1000 } */
function range(text: string): { min: number; max: number } {
  const [min, max] = text.split('-').map(Number);
  if (min === undefined || max === undefined || !(min >= 0 && max >= min))
    throw new Error(`--callback-delay must be MIN-MAX in ms with 0 ≤ MIN ≤ MAX, got ${text}`);
  return { min, max };
}

/** `20:10` → { atSeconds: 20, downSeconds: 10 } */
function outage(text: string): { atSeconds: number; downSeconds: number } {
  const [atSeconds, downSeconds] = text.split(':').map(Number);
  if (atSeconds === undefined || downSeconds === undefined || !(atSeconds >= 0 && downSeconds > 0))
    throw new Error(`--temporal-outage must be AT:DOWN in seconds, got ${text}`);
  return { atSeconds, downSeconds };
}
