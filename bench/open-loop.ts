import { setTimeout as sleep } from 'node:timers/promises';

export interface Submission {
  index: number;
  /** When the request was due (ms epoch): latency counts from here, so a stalled sender cannot hide a backlog. */
  scheduledAt: number;
  doneAt: number;
  error?: string;
  /** What the server said its parts took (ms), from its Server-Timing header. */
  serverTimings?: Record<string, number>;
}

export interface OpenLoopOptions {
  rate: number;
  count: number;
  submit: (index: number) => Promise<Record<string, number> | void>;
  onDone?: (submission: Submission) => void;
}

export const now = () => performance.timeOrigin + performance.now();

/**
 * Open-loop load: request i is sent at start + i/rate whether or not earlier
 * ones have been answered, as merchants do; a slow system then shows as
 * latency and backlog, never as a lower offered rate.
 */
export async function driveOpenLoop({
  rate,
  count,
  submit,
  onDone,
}: OpenLoopOptions): Promise<{ startedAt: number; submissions: Submission[] }> {
  const startedAt = now();
  const dueAt = (index: number) => startedAt + (index * 1000) / rate;
  const inFlight: Promise<Submission>[] = [];
  for (let index = 0; index < count; index++) {
    const wait = dueAt(index) - now();
    if (wait > 1) await sleep(wait);
    const scheduledAt = dueAt(index);
    inFlight.push(
      submit(index)
        .then(
          (serverTimings) => ({ index, scheduledAt, doneAt: now(), ...(serverTimings && { serverTimings }) }),
          (error: unknown) => ({
            index,
            scheduledAt,
            doneAt: now(),
            error: error instanceof Error ? error.message : String(error),
          }),
        )
        .then((submission) => {
          onDone?.(submission);
          return submission;
        }),
    );
  }
  return { startedAt, submissions: await Promise.all(inFlight) };
}
