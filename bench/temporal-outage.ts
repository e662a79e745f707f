import { setTimeout as sleep } from 'node:timers/promises';
import type { TemporalServer } from './infrastructure.ts';
import type { Submission } from './open-loop.ts';
import { percentiles, type Percentiles } from './stats.ts';

export interface OutagePlan {
  atSeconds: number;
  downSeconds: number;
}

/** What the merchants saw while the Temporal server was down, and how soon the orders accepted meanwhile started once it was back. */
export interface OutageResult extends OutagePlan {
  /** When the server was killed and when it served again, in seconds from the step's start. */
  downFromSecond: number;
  backAtSecond: number;
  submitted: number;
  rejected: number;
  submitLatencyMs?: Percentiles;
  /** Orders accepted while the server was down: how long after its return each one's workflow started (ms). */
  startAfterReturnMs?: Percentiles;
  notStarted: number;
}

/** When the system started each order's workflow (ms epoch, null if not yet), for the orders accepted between two moments. */
export type StartTimes = (step: string, from: number, to: number) => Promise<(number | null)[]>;

/** Kills the step's Temporal server `atSeconds` into the step and restarts it `downSeconds` later. */
export function scheduleOutage(
  plan: OutagePlan,
  temporal: TemporalServer,
): Promise<{ downAt: number; backAt: number }> {
  return sleep(plan.atSeconds * 1000).then(() => temporal.killAndRestart(plan.downSeconds * 1000));
}

export async function measureOutage(
  plan: OutagePlan,
  window: { downAt: number; backAt: number },
  {
    step,
    startedAt,
    submissions,
    startTimes,
  }: { step: string; startedAt: number; submissions: Submission[]; startTimes: StartTimes },
): Promise<OutageResult> {
  const during = submissions.filter(
    (submission) => submission.scheduledAt >= window.downAt && submission.scheduledAt < window.backAt,
  );
  const accepted = during.filter((submission) => !submission.error);
  const starts = await startTimes(step, window.downAt, window.backAt);
  const started = starts.filter((at): at is number => at !== null);
  const submitLatencyMs = percentiles(accepted.map((submission) => submission.doneAt - submission.scheduledAt));
  const startAfterReturnMs = percentiles(started.map((at) => Math.max(0, at - window.backAt)));
  const second = (at: number) => Math.round((at - startedAt) / 100) / 10;
  return {
    ...plan,
    downFromSecond: second(window.downAt),
    backAtSecond: second(window.backAt),
    submitted: during.length,
    rejected: during.length - accepted.length,
    ...(submitLatencyMs && { submitLatencyMs }),
    ...(startAfterReturnMs && { startAfterReturnMs }),
    notStarted: starts.length - started.length,
  };
}
