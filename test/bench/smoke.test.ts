import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { BenchReport } from '../../bench/report.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Whether a Redis answers at REDIS_URL: the queue pipeline needs one; without, the smoke run leaves that system out. */
async function redisAnswers(): Promise<boolean> {
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 2_000,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}
const withRedis = await redisAnswers();
if (!withRedis)
  console.info(
    `No Redis answers at ${REDIS_URL} (TEST_REDIS_URL): the design documents' queue pipeline is left out of the bench smoke run.`,
  );
let outDir: string;
let report: BenchReport;
let markdown: string;

/** The CI's smoke run of `npm run bench`: a few orders through every system, for real. */
beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'recharge-bench-smoke-'));
  const systems = withRedis ? ['--redis-url', REDIS_URL] : ['--systems', 'floor,order'];
  await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'bench/main.ts', '--plan', 'smoke', '--supplier-outage', ...systems, '--out', outDir],
    {
      timeout: 170_000,
    },
  );
  report = JSON.parse(await readFile(join(outDir, 'result.json'), 'utf8')) as BenchReport;
  markdown = await readFile(join(outDir, 'result.md'), 'utf8');
}, 180_000);

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

describe('npm run bench (smoke plan)', () => {
  it('runs the order path with sim-a failing: sim-b credits every order, and no phone twice', () => {
    const step = report.steps.find((s) => s.kind === 'supplier-outage');
    expect(step?.supplierOutage).toMatchObject({
      succeededBySupplier: { 'sim-b': step?.count },
      failed: 0,
      chargesMinusSucceeded: 0,
    });
    expect(step?.supplierOutage?.chargesBySimulator).toEqual({ 'sim-a': 0, 'sim-b': step?.count });
    expect(markdown).toContain('| step | phones credited | SUCCEEDED by supplier | FAILED | credited − SUCCEEDED |');
  });

  it('drives every system until every order has its final result, without escalating any', () => {
    const measured = report.steps.filter((step) => step.kind !== 'warmup');
    expect(measured.map((step) => `${step.system}-${step.kind}`)).toEqual([
      'floor-saturation',
      'floor-steady',
      'order-saturation',
      'order-supplier-outage',
      'order-steady',
      ...(withRedis ? ['queue-saturation'] : []),
    ]);
    for (const step of measured) {
      expect(step, step.id).toMatchObject({ accepted: step.count, rejected: 0, final: step.count });
      expect(step.submitToFinalMs?.p99, step.id).toBeGreaterThan(0);
      expect(step.completedPerSecond, step.id).toBeGreaterThan(0);
    }
    expect(measured.filter((step) => step.system === 'order').map((step) => step.escalations)).toEqual([0, 0, 0]);
  });

  it("measures each process's CPU and memory and reports throughput against the engine floor", () => {
    const orderStep = report.steps.find((step) => step.kind === 'saturation' && step.system === 'order');
    const usage = Object.fromEntries((orderStep?.processes ?? []).map((process) => [process.name, process]));
    for (const name of ['temporal-server', 'postgres', 'carrier-sim', 'order-api', 'order-worker', 'load-generator'])
      expect(usage[name]?.peakRssMb, name).toBeGreaterThan(1);
    for (const name of ['temporal-server', 'order-api', 'order-worker'])
      expect(usage[name]?.cpuSeconds, name).toBeGreaterThan(0);
    expect(Object.keys(report.ratioToFloor)).toContain('order');
    expect(report.targets.map((target) => target.name)).toContain(
      'order path saturated throughput ≥ 70% of the engine floor',
    );
    expect(markdown).toContain('| step | system | offered/s |');
  });

  // Skipped, saying why, on a machine without Redis (the README's two commands must pass there too).
  it.skipIf(!withRedis)(
    "runs the design documents' queue pipeline on Redis, measured against the same engine floor",
    () => {
      const queue = report.steps.find((step) => step.system === 'queue' && step.kind === 'saturation');
      expect(queue).toMatchObject({ accepted: queue?.count, rejected: 0, final: queue?.count });
      expect(Object.keys(report.ratioToFloor).sort()).toEqual(['order', 'queue']);
    },
  );
});
