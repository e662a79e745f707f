import { setTimeout as sleep } from 'node:timers/promises';
import cliProgress from 'cli-progress';
import { historyShape, type HistoryShape } from './history-shape.ts';
import type { Client } from '@temporalio/client';
import { driveOpenLoop, now } from './open-loop.ts';
import type { ProcessSampler, ProcessUsage } from './process-sampler.ts';
import { percentiles, perSecond, type Percentiles } from './stats.ts';
import { measureOutage, scheduleOutage, type OutagePlan, type OutageResult } from './temporal-outage.ts';
import type { TemporalServer } from './infrastructure.ts';
import type { SupplierOutageResult } from './supplier-outage.ts';
import type { BenchSystem, SystemName } from './systems/system.ts';

/** Orders whose histories are read after a step. */
const HISTORY_SAMPLE = 50;

export interface StepPlan {
  /** Unique in the run, letters, digits and `-` only (it prefixes the order numbers). */
  id: string;
  kind: 'warmup' | 'saturation' | 'steady' | 'supplier-outage';
  system: SystemName;
  rate: number;
  count: number;
}

export interface StepResult extends StepPlan {
  title: string;
  wallSeconds: number;
  accepted: number;
  rejected: number;
  firstRejection?: string;
  final: number;
  /** Orders accepted per second, from the first request to the last answer. */
  acceptedPerSecond: number;
  /** Orders with a final result per second, from the first request to the last result: the throughput. */
  completedPerSecond: number;
  submitLatencyMs?: Percentiles;
  /** The API's own account of the submissions (Server-Timing), by part: where the submit latency goes. */
  serverTimingMs?: Record<string, Percentiles>;
  submitToFinalMs?: Percentiles;
  escalations: number | null;
  processes: ProcessUsage[];
  /** Mean history of a sample of the step's orders (systems on Temporal). */
  history?: HistoryShape;
  /** The Temporal server killed during the step (--temporal-outage). */
  outage?: OutageResult;
  /** sim-a failing during the step (--supplier-outage). */
  supplierOutage?: SupplierOutageResult;
  /** Completions per second of the load's 10 s windows (steps of 20 s or more): a dip shows as a low minimum. */
  completedPer10s?: { min: number; max: number; atSecond: number };
}

/** A Temporal server to kill and restart during the step. */
export interface StepOutage {
  plan: OutagePlan;
  temporal: TemporalServer;
}

const WINDOW_S = 10;

/**
 * Completions per second in each full 10 s window while the load ran: a dip
 * (the SLA timers of earlier orders falling due, say) shows as a low
 * minimum; `atSecond` is where the lowest window began, counted from the start.
 */
function completionWindows(finals: number[], startedAt: number, loadSeconds: number) {
  const windows = Math.floor(loadSeconds / WINDOW_S);
  const counts = new Array<number>(windows).fill(0);
  for (const at of finals) {
    const window = Math.floor((at - startedAt) / 1000 / WINDOW_S);
    if (window >= 0 && window < windows) counts[window] = (counts[window] ?? 0) + 1;
  }
  // The first window fills as the first orders finish: it is left out.
  const rates = counts.slice(1).map((count) => count / WINDOW_S);
  const min = Math.min(...rates);
  return { min, max: Math.max(...rates), atSecond: (rates.indexOf(min) + 1) * WINDOW_S };
}

/** Drives one system open-loop at a fixed rate, waits for the final results, and measures. */
export async function runStep(
  plan: StepPlan,
  system: BenchSystem,
  sampler: ProcessSampler,
  temporal: Client | undefined,
  { drainTimeoutMs, outage }: { drainTimeoutMs: number; outage?: StepOutage | undefined },
): Promise<StepResult> {
  const bar = new cliProgress.SingleBar(
    {
      format: `${plan.id.padEnd(22)} {bar} {value}/{total} final | {submitted} submitted | {rejected} rejected | {duration}s`,
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 5_000,
    },
    cliProgress.Presets.shades_classic,
  );
  let submitted = 0;
  let rejected = 0;
  bar.start(plan.count, 0, { submitted, rejected });

  const from = now();
  await sampler.sampleNow();
  let loading = true;
  // Final results are counted once a second while the load runs and until all are in (or the drain time is up).
  const watching: Promise<void> = (async () => {
    let drainDeadline = Infinity;
    for (;;) {
      const final = await system.countFinal(plan.id);
      bar.update(final, { submitted, rejected });
      if (!loading) {
        if (final >= submitted - rejected) return;
        drainDeadline = Math.min(drainDeadline, now() + drainTimeoutMs);
        if (now() > drainDeadline) return;
      }
      await sleep(1_000);
    }
  })();
  watching.catch(() => undefined); // awaited below; a failure must not count as unhandled meanwhile
  const outageWindow = outage && scheduleOutage(outage.plan, outage.temporal);
  outageWindow?.catch(() => undefined); // awaited below, likewise
  const { startedAt, submissions } = await driveOpenLoop({
    rate: plan.rate,
    count: plan.count,
    submit: (index) => system.submit(plan.id, index),
    onDone(submission) {
      submitted += 1;
      if (submission.error) rejected += 1;
      bar.update({ submitted, rejected });
    },
  });
  loading = false;
  await watching;
  bar.stop();
  await sampler.sampleNow();
  const to = now();

  const { finals, escalations } = await system.collect(plan.id);
  const startTimes = system.startTimes;
  const outageResult =
    outage &&
    outageWindow &&
    startTimes &&
    (await measureOutage(outage.plan, await outageWindow, { step: plan.id, startedAt, submissions, startTimes }));
  const history =
    temporal &&
    system.sampleWorkflowIds &&
    (await historyShape(temporal, await system.sampleWorkflowIds(plan.id, HISTORY_SAMPLE)));
  const accepted = submissions.filter((submission) => !submission.error);
  const rejections = submissions.filter((submission) => submission.error);
  const finalLatencies = accepted.flatMap((submission) => {
    const finalAt = finals.get(submission.index);
    return finalAt === undefined ? [] : [finalAt - submission.scheduledAt];
  });
  const submitLatencyMs = percentiles(accepted.map((submission) => submission.doneAt - submission.scheduledAt));
  const submitToFinalMs = percentiles(finalLatencies);
  const timingNames = [...new Set(accepted.flatMap((submission) => Object.keys(submission.serverTimings ?? {})))];
  const serverTimingMs = Object.fromEntries(
    timingNames.flatMap((name) => {
      const stats = percentiles(accepted.flatMap((submission) => submission.serverTimings?.[name] ?? []));
      return stats ? [[name, stats]] : [];
    }),
  );
  return {
    ...plan,
    title: system.title,
    wallSeconds: Math.round((to - from) / 100) / 10,
    accepted: accepted.length,
    rejected: rejections.length,
    ...(rejections[0]?.error && { firstRejection: rejections[0].error }),
    final: finals.size,
    acceptedPerSecond: perSecond(
      accepted.map((submission) => submission.doneAt),
      startedAt,
    ),
    completedPerSecond: perSecond([...finals.values()], startedAt),
    ...(submitLatencyMs && { submitLatencyMs }),
    ...(submitToFinalMs && { submitToFinalMs }),
    ...(timingNames.length > 0 && { serverTimingMs }),
    escalations,
    ...(plan.count / plan.rate >= 2 * WINDOW_S && {
      completedPer10s: completionWindows([...finals.values()], startedAt, plan.count / plan.rate),
    }),
    processes: sampler.usageBetween(from, to),
    ...(history && { history }),
    ...(outageResult && { outage: outageResult }),
  };
}
