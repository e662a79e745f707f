import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Percentiles } from './stats.ts';
import type { PollCost } from './poll-cost.ts';
import type { StepResult } from './run-step.ts';
import { supplierOutageLines } from './supplier-outage.ts';

export interface Target {
  name: string;
  met: boolean;
  detail: string;
}

export interface MemoryTrend {
  process: string;
  firstMinuteMb: number;
  lastMinuteMb: number;
  changePercent: number;
}

export interface BenchReport {
  command: string;
  startedAt: string;
  machine: Record<string, string | number>;
  options: Record<string, unknown>;
  steps: StepResult[];
  /** Saturated throughput of each system as a share of the engine floor's, same run. */
  ratioToFloor: Record<string, number>;
  memory?: MemoryTrend[];
  /** What merchants' polls alone cost (--poll). */
  pollCost?: PollCost;
  targets: Target[];
}

const ms = (value: Percentiles | undefined) => (value ? `${value.p50} / ${value.p95} / ${value.p99}` : '-');

/** The run as Markdown: what was run, where, and the tables docs/benchmarks.md quotes. */
export function toMarkdown(report: BenchReport): string {
  const lines = [
    `# Benchmark ${report.startedAt}`,
    '',
    `Command: \`${report.command}\``,
    '',
    `Machine: ${Object.entries(report.machine)
      .map(([key, value]) => `${key} ${value}`)
      .join(', ')}`,
    '',
    '| step | system | offered/s | orders | accepted/s | completed/s | submit ms p50 / p95 / p99 | submit→final ms p50 / p95 / p99 | final | escalations |',
    '|---|---|---:|---:|---:|---:|---|---|---:|---:|',
    ...report.steps.map(
      (step) =>
        `| ${step.id} | ${step.system} | ${step.rate} | ${step.count} | ${step.acceptedPerSecond} | ${step.completedPerSecond} | ${ms(step.submitLatencyMs)} | ${ms(step.submitToFinalMs)} | ${step.final}/${step.accepted}${step.rejected ? ` (${step.rejected} rejected)` : ''} | ${step.escalations ?? '-'} |`,
    ),
    '',
    'Submit latency inside the API (its Server-Timing header), ms p50 / p95 / p99; the rest of the submit latency is HTTP, queueing and the load generator:',
    '',
    '| step | parts |',
    '|---|---|',
    ...report.steps.flatMap((step) =>
      step.serverTimingMs
        ? [
            `| ${step.id} | ${Object.entries(step.serverTimingMs)
              .map(([name, value]) => `${name} ${ms(value)}`)
              .join('; ')} |`,
          ]
        : [],
    ),
    '',
    "Mean history of a sample of each step's orders (workflow tasks are round trips between server and worker):",
    '',
    '| step | orders sampled | workflow tasks | events | search attribute upserts |',
    '|---|---:|---:|---:|---:|',
    ...report.steps.flatMap((step) =>
      step.history
        ? [
            `| ${step.id} | ${step.history.sampled} | ${step.history.workflowTasks} | ${step.history.events} | ${step.history.searchAttributeUpserts} |`,
          ]
        : [],
    ),
    '',
    'Mean events per order by type:',
    '',
    '| step | events by type |',
    '|---|---|',
    ...report.steps.flatMap((step) =>
      step.history
        ? [
            `| ${step.id} | ${Object.entries(step.history.eventTypes)
              .map(([type, count]) => `${type} ${count}`)
              .join('; ')} |`,
          ]
        : [],
    ),
    '',
    'Completions per second in 10 s windows while the load ran (the first left out): lowest (and where it began) and highest:',
    '',
    '| step | lowest /s (at s) | highest /s |',
    '|---|---:|---:|',
    ...report.steps.flatMap((step) =>
      step.completedPer10s
        ? [
            `| ${step.id} | ${step.completedPer10s.min} (${step.completedPer10s.atSecond}) | ${step.completedPer10s.max} |`,
          ]
        : [],
    ),
    '',
    ...outageLines(report),
    ...supplierOutageLines(report.steps),
    "CPU seconds, CPU ms per order (the step's CPU over its orders) and peak memory (MB) of each process during each step (resident set; PostgreSQL: proportional set of the postmaster and its backends):",
    '',
    '| step | process | CPU s | CPU ms per order | peak memory MB |',
    '|---|---|---:|---:|---:|',
    ...report.steps.flatMap((step) =>
      step.processes.map(
        (usage) =>
          `| ${step.id} | ${usage.name} | ${usage.cpuSeconds} | ${perOrderMs(usage.cpuSeconds, step.count)} | ${usage.peakRssMb} |`,
      ),
    ),
    '',
    ...pollCostLines(report.pollCost),
  ];
  const ratios = Object.entries(report.ratioToFloor);
  if (ratios.length)
    lines.push(
      `Saturated throughput relative to the engine floor: ${ratios.map(([system, ratio]) => `${system} ${ratio}`).join(', ')}`,
      '',
    );
  for (const { process, firstMinuteMb, lastMinuteMb, changePercent } of report.memory ?? []) {
    lines.push(
      `${process} resident memory: first minute ${firstMinuteMb} MB, last minute ${lastMinuteMb} MB (${changePercent > 0 ? '+' : ''}${changePercent}%)`,
      '',
    );
  }
  if (report.targets.length) {
    lines.push(
      '| target | result | measured |',
      '|---|---|---|',
      ...report.targets.map((target) => `| ${target.name} | ${target.met ? 'met' : 'MISSED'} | ${target.detail} |`),
      '',
    );
  }
  return lines.join('\n');
}

const perOrderMs = (cpuSeconds: number, orders: number) =>
  orders > 0 ? Math.round((cpuSeconds * 1000 * 10) / orders) / 10 : '-';

function pollCostLines(cost: PollCost | undefined): string[] {
  if (!cost) return [];
  return [
    `Merchant polls alone (\`--poll\`): ${cost.polls} conditional polls of final orders in ${cost.seconds} s (${cost.perSecond}/s), ${cost.notModified} answered 304; CPU ms per poll: ${Object.entries(
      cost.cpuMsPerPoll,
    )
      .map(([name, value]) => `${name} ${value}`)
      .join(', ')}`,
    '',
  ];
}

export function writeReport(outDir: string, report: BenchReport): { json: string; markdown: string } {
  const json = join(outDir, 'result.json');
  const markdown = join(outDir, 'result.md');
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(markdown, toMarkdown(report));
  return { json, markdown };
}

/** The Temporal outage of a step, if one was run. */
function outageLines(report: BenchReport): string[] {
  const steps = report.steps.filter((step) => step.outage);
  if (steps.length === 0) return [];
  return [
    'Temporal server killed during the step (`--temporal-outage`): submissions while it was down, and when the orders accepted meanwhile started after its return:',
    '',
    '| step | down (s into the step) | submitted | rejected | submit ms p50 / p95 / p99 | started after return ms p50 / p95 / p99 / max | not started |',
    '|---|---|---:|---:|---|---|---:|',
    ...steps.map(({ id, outage }) =>
      outage
        ? `| ${id} | ${outage.downFromSecond}–${outage.backAtSecond} | ${outage.submitted} | ${outage.rejected} | ${ms(outage.submitLatencyMs)} | ${ms(outage.startAfterReturnMs)} / ${outage.startAfterReturnMs?.max ?? '-'} | ${outage.notStarted} |`
        : '',
    ),
    '',
  ];
}
