/**
 * The benchmark: starts its own Temporal dev server, PostgreSQL, carrier
 * simulator and each system's processes, drives them open-loop through their
 * real entry points, and writes result.json and result.md. See
 * docs/benchmarks.md.
 */
import type { PollCost } from './poll-cost.ts';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { temporalCliPath } from '../src/dev/temporal-binaries.ts';
import { startInfrastructure, type Infrastructure, type TemporalServer } from './infrastructure.ts';
import { now } from './open-loop.ts';
import { parseBenchOptions, SATURATING_RATE, USAGE, type BenchOptions } from './options.ts';
import { createProcessSampler } from './process-sampler.ts';
import { toMarkdown, writeReport, type BenchReport, type MemoryTrend } from './report.ts';
import { runStep, type StepOutage, type StepResult } from './run-step.ts';
import { startEngineFloor } from './systems/engine-floor.ts';
import { startOrderPath } from './systems/order-path.ts';
import { connectRedis, startQueuePipeline } from './systems/queue-pipeline.ts';
import type { BenchSystem, SystemName } from './systems/system.ts';
import { judgeTargets } from './targets.ts';
import { createCleanups } from './cleanups.ts';
import { withSupplierAFailing } from './supplier-outage.ts';

const MINUTE = 60_000;

/** postgresql://user:secret@host → postgresql://user:***@host, for what the report records. */
const redactPasswords = (text: string) => text.replace(/(\/\/[^:/@\s"]+:)[^@\s"]+@/g, '$1***@');

function startSystem(
  name: SystemName,
  infra: Infrastructure,
  temporal: TemporalServer | undefined,
  options: BenchOptions,
): Promise<BenchSystem> {
  if (name === 'queue') return startQueuePipeline(infra, { redisUrl: options.redisUrl });
  if (!temporal) throw new Error(`${name} needs a Temporal server`);
  return name === 'floor'
    ? startEngineFloor(infra, temporal, options.callbackDelayMs)
    : startOrderPath(infra, temporal, { slaSeconds: options.slaSeconds, poll: options.poll });
}

async function machine(infra: Infrastructure): Promise<Record<string, string | number>> {
  const { rows } = await infra.db.query<{ server_version: string }>('SHOW server_version');
  return {
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    temporal: execFileSync(temporalCliPath(), ['--version'], { encoding: 'utf8' }).trim(),
    postgres: rows[0]?.server_version ?? 'unknown',
  };
}

/** Runs one system's steps: warm-up, saturation, then (floor and order path) the steady step, with the order worker's and API's memory trends. */
async function runSystem(
  name: SystemName,
  infra: Infrastructure,
  options: BenchOptions,
  runId: string,
  steps: StepResult[],
  extras: { pollCost?: PollCost },
): Promise<MemoryTrend[]> {
  const { sampler } = infra;
  const temporal = name === 'queue' ? undefined : await infra.startTemporal(name);
  const system = await startSystem(name, infra, temporal, options);
  for (const process of system.processes) await sampler.add(process);
  const run = (id: string, kind: StepResult['kind'], rate: number, count: number, outage?: StepOutage) =>
    runStep({ id: `${runId}-${name}-${id}`, kind, system: name, rate, count }, system, sampler, temporal?.client, {
      drainTimeoutMs: options.drainTimeoutMs,
      outage,
    });
  try {
    // JIT, connection pools and worker caches warm up on orders that are not measured.
    if (options.warmup > 0) await run('warmup', 'warmup', 10, options.warmup);
    if (options.saturationSeconds > 0) {
      const rate = options.rate ?? SATURATING_RATE[name];
      steps.push(await run('sat', 'saturation', rate, options.count ?? Math.round(rate * options.saturationSeconds)));
    }
    const floor = steps.find((step) => step.system === 'floor' && step.kind === 'saturation');
    const rate = options.steadyRate ?? (floor ? Math.round(floor.completedPerSecond * 5) / 10 : 15);
    if (name === 'order' && options.supplierOutage) {
      const seconds = options.durationSeconds || 30;
      steps.push(
        await withSupplierAFailing(infra, () => run('sim-a-down', 'supplier-outage', rate, Math.round(rate * seconds))),
      );
    }
    // The floor runs the same steady load as the order path, so the order path's latency has the engine's beside it.
    if (name === 'queue' || options.durationSeconds === 0) return [];
    const from = now();
    const outage =
      name === 'order' && temporal && options.temporalOutage ? { plan: options.temporalOutage, temporal } : undefined;
    steps.push(await run('steady', 'steady', rate, Math.round(rate * options.durationSeconds), outage));
    if (system.measurePollCost) extras.pollCost = await system.measurePollCost(sampler);
    // A first and a last minute only exist in a run of at least two.
    if (name !== 'order' || options.durationSeconds < 120) return [];
    const loadEnd = from + options.durationSeconds * 1000;
    return ['order-worker', 'order-api'].flatMap((process) => {
      const first = sampler.meanRssMb(process, from, from + MINUTE);
      const last = sampler.meanRssMb(process, loadEnd - MINUTE, loadEnd);
      return first && last
        ? [
            {
              process,
              firstMinuteMb: first,
              lastMinuteMb: last,
              changePercent: Math.round(((last - first) / first) * 1000) / 10,
            },
          ]
        : [];
    });
  } finally {
    for (const process of system.processes) sampler.remove(process.name);
    await system.stop();
    await temporal?.stop();
  }
}

let interrupted = false;
const cleanups = createCleanups();
/** Stops everything and exits; a second call waits for the first. */
function stopAndExit(code: number): Promise<never> {
  process.exitCode ??= code;
  return cleanups.runAll().then(() => process.exit(process.exitCode));
}
process.on('unhandledRejection', (error) => {
  // Once interrupted, the running step fails on the connections being closed: expected, not worth a stack trace.
  if (!interrupted) console.error(error);
  void stopAndExit(1);
});

// From the start: what has started so far is in `cleanups`, the embedded PostgreSQL included.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    interrupted = true;
    void stopAndExit(130);
  });
}

async function main(options: BenchOptions) {
  // Checked first, so a missing Redis does not throw away minutes of other systems' results.
  if (options.systems.includes('queue')) (await connectRedis(options.redisUrl)).disconnect();
  const outDir = resolve(options.outDir);
  const logDir = join(outDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const workDir = mkdtempSync(join(tmpdir(), 'recharge-bench-'));
  cleanups.add(() => Promise.resolve(rmSync(workDir, { recursive: true, force: true })));
  const sampler = createProcessSampler();
  cleanups.add(sampler.stop);
  await sampler.add({ name: 'load-generator', pid: process.pid });
  const runId = `b${Date.now().toString(36)}`;
  const startedAt = new Date().toISOString();
  const output = { logDir, ...(options.profile && { profileDir: join(outDir, 'profiles') }) };
  const infra = await startInfrastructure({
    workDir,
    cleanups,
    output,
    sampler,
    databaseUrl: options.databaseUrl,
    carrierLatencyMs: options.carrierLatencyMs,
    callbackDelayMs: options.callbackDelayMs,
    serverConfig: options.serverConfig,
  });

  const steps: StepResult[] = [];
  const memory: MemoryTrend[] = [];
  const extras: { pollCost?: PollCost } = {};
  for (const name of options.systems) memory.push(...(await runSystem(name, infra, options, runId, steps, extras)));
  const floor = steps.find((step) => step.system === 'floor' && step.kind === 'saturation');
  const floorRate = floor?.completedPerSecond ?? 0;
  const ratioToFloor: Record<string, number> = {};
  for (const step of steps) {
    if (floorRate > 0 && step.kind === 'saturation' && step.system !== 'floor')
      ratioToFloor[step.system] = Math.round((step.completedPerSecond / floorRate) * 100) / 100;
  }
  const report: BenchReport = {
    command: redactPasswords(`npm run bench -- ${process.argv.slice(2).join(' ')}`.trim()),
    startedAt,
    machine: await machine(infra),
    options: JSON.parse(redactPasswords(JSON.stringify({ ...options, outDir }))) as Record<string, unknown>,
    steps,
    ratioToFloor,
    ...(memory.length > 0 && { memory }),
    ...extras,
    targets: judgeTargets(steps, ratioToFloor, memory, { callbackDelayMaxMs: options.callbackDelayMs.max }),
  };
  const written = writeReport(outDir, report);
  console.log(`\n${toMarkdown(report)}\nWritten: ${written.markdown}, ${written.json}`);
}

const options = parseBenchOptions(process.argv.slice(2));
if (options.help) console.log(USAGE);
else {
  await main(options).catch((error: unknown) => {
    if (!interrupted) console.error(error);
    process.exitCode ??= 1;
  });
}
await stopAndExit(0); // also ends pg and Redis clients a failed step left open
