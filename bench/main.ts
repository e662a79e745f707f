/**
 * The benchmark: starts its own Temporal dev server, PostgreSQL, carrier
 * simulator and each system's processes, drives them open-loop through their
 * real entry points, and writes result.json and result.md. See
 * docs/benchmarks.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { temporalCliPath } from '../src/dev/temporal-binaries.ts';
import { startInfrastructure, type Infrastructure } from './infrastructure.ts';
import { now } from './open-loop.ts';
import { parseBenchOptions, SATURATING_RATE, USAGE, type BenchOptions } from './options.ts';
import { createProcessSampler } from './process-sampler.ts';
import { toMarkdown, writeReport, type BenchReport, type MemoryTrend } from './report.ts';
import { runStep, type StepResult } from './run-step.ts';
import { startEngineFloor } from './systems/engine-floor.ts';
import { startOrderPath } from './systems/order-path.ts';
import { startQueuePipeline } from './systems/queue-pipeline.ts';
import type { BenchSystem, SystemName } from './systems/system.ts';
import { judgeTargets } from './targets.ts';

const MINUTE = 60_000;

function startSystem(name: SystemName, infra: Infrastructure, options: BenchOptions): Promise<BenchSystem> {
  if (name === 'floor') return startEngineFloor(infra);
  if (name === 'order') return startOrderPath(infra, { slaSeconds: options.slaSeconds });
  return startQueuePipeline(infra, { redisUrl: options.redisUrl });
}

async function machine(infra: Infrastructure): Promise<Record<string, string | number>> {
  const { rows } = await infra.db.query('SHOW server_version');
  return {
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    temporal: execFileSync(temporalCliPath(), ['--version'], { encoding: 'utf8' }).trim(),
    postgres: rows[0].server_version as string,
  };
}

async function main(options: BenchOptions) {
  const outDir = resolve(options.outDir);
  const logDir = join(outDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const workDir = mkdtempSync(join(tmpdir(), 'recharge-bench-'));
  const sampler = createProcessSampler();
  await sampler.add({ name: 'load-generator', pid: process.pid });
  const runId = `b${Date.now().toString(36)}`;
  const startedAt = new Date().toISOString();
  const output = { logDir, ...(options.profile && { profileDir: join(outDir, 'profiles') }) };
  const infra = await startInfrastructure({ workDir, output, sampler, databaseUrl: options.databaseUrl, carrierLatencyMs: options.carrierLatencyMs });
  const steps: StepResult[] = [];
  let memory: MemoryTrend | undefined;
  try {
    for (const name of options.systems) {
      const system = await startSystem(name, infra, options);
      for (const process of system.processes) await sampler.add(process);
      try {
        // JIT, connection pools and worker caches warm up on orders that are not measured.
        if (options.warmup > 0) await runStep({ id: `${runId}-${name}-warmup`, kind: 'warmup', system: name, rate: 10, count: options.warmup }, system, sampler, options.drainTimeoutMs);
        if (options.saturationSeconds > 0) {
          const rate = options.rate ?? SATURATING_RATE[name];
          steps.push(await runStep({ id: `${runId}-${name}-sat`, kind: 'saturation', system: name, rate, count: Math.round(rate * options.saturationSeconds) }, system, sampler, options.drainTimeoutMs));
        }
        if (name === 'order' && options.durationSeconds > 0) {
          const floor = steps.find((step) => step.system === 'floor' && step.kind === 'saturation');
          const rate = options.steadyRate ?? (floor ? Math.round(floor.completedPerSecond * 5) / 10 : 15);
          const from = now();
          const step = await runStep({ id: `${runId}-order-steady`, kind: 'steady', system: name, rate, count: Math.round(rate * options.durationSeconds) }, system, sampler, options.drainTimeoutMs);
          steps.push(step);
          const loadEnd = from + options.durationSeconds * 1000;
          // A first and a last minute only exist in a run of at least two.
          if (options.durationSeconds >= 120) {
            const first = sampler.meanRssMb('order-worker', from, from + MINUTE);
            const last = sampler.meanRssMb('order-worker', loadEnd - MINUTE, loadEnd);
            if (first && last) memory = { process: 'order-worker', firstMinuteMb: first, lastMinuteMb: last, changePercent: Math.round(((last - first) / first) * 1000) / 10 };
          }
        }
      } finally {
        for (const process of system.processes) sampler.remove(process.name);
        await system.stop();
      }
    }
    const floor = steps.find((step) => step.system === 'floor' && step.kind === 'saturation');
    const ratioToFloor = Object.fromEntries(
      steps
        .filter((step) => floor && step.kind === 'saturation' && step.system !== 'floor' && floor.completedPerSecond > 0)
        .map((step) => [step.system, Math.round((step.completedPerSecond / (floor as StepResult).completedPerSecond) * 100) / 100]),
    );
    const report: BenchReport = {
      command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
      startedAt,
      machine: await machine(infra),
      options: { ...options, outDir },
      steps,
      ratioToFloor,
      ...(memory && { memory }),
      targets: judgeTargets(steps, ratioToFloor, memory),
    };
    const written = writeReport(outDir, report);
    console.log(`\n${toMarkdown(report)}\nWritten: ${written.markdown}, ${written.json}`);
  } finally {
    await sampler.stop();
    await infra.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

const options = parseBenchOptions(process.argv.slice(2));
if (options.help) console.log(USAGE);
else await main(options);
process.exit(0); // pg and Redis clients of failed steps must not keep the run alive
