import { setTimeout as sleep } from 'node:timers/promises';
import { FLOOR_TASK_QUEUE, floorCallbackSignal } from '../engine-floor/shared.ts';
import { startNodeProcess, waitForWorker } from '../child-processes.ts';
import type { Infrastructure, TemporalServer } from '../infrastructure.ts';
import { indexOf, orderKey, type BenchSystem } from './system.ts';

/**
 * The engine floor: start a bare order-shaped workflow, then signal its
 * callback, straight over gRPC: at once, or as late as the carrier simulator
 * calls back (--callback-delay), so the floor has the order path's shape.
 */
export async function startEngineFloor(
  infra: Infrastructure,
  temporal: TemporalServer,
  callbackDelayMs: { min: number; max: number },
): Promise<BenchSystem> {
  const worker = startNodeProcess(
    'floor-worker',
    'bench/engine-floor/worker.ts',
    { TEMPORAL_ADDRESS: temporal.address },
    infra.output,
  );
  const stopWorker = infra.track(worker.stop);
  await waitForWorker(temporal.client, FLOOR_TASK_QUEUE);
  const completed = (step: string) => `WorkflowId STARTS_WITH "floor-${step}-" AND ExecutionStatus = "Completed"`;
  const lateSignals = new Set<Promise<unknown>>();

  return {
    name: 'floor',
    title: 'Engine floor (bare workflow: one no-op activity, one signal, a 180 s timer)',
    processes: [{ name: worker.name, pid: worker.pid }],
    async submit(step, index) {
      const handle = await temporal.client.workflow.start('benchFloor', {
        taskQueue: FLOOR_TASK_QUEUE,
        workflowId: `floor-${orderKey(step, index)}`,
      });
      const delayMs = callbackDelayMs.min + Math.random() * (callbackDelayMs.max - callbackDelayMs.min);
      if (delayMs === 0) return void (await handle.signal(floorCallbackSignal));
      const signalled = sleep(delayMs)
        .then(() => handle.signal(floorCallbackSignal))
        // The workflow then stays open and the step reports it as not final.
        .catch((error: unknown) => console.error(`floor callback signal failed: ${String(error)}`))
        .finally(() => lateSignals.delete(signalled));
      lateSignals.add(signalled);
    },
    async countFinal(step) {
      return (await temporal.client.workflow.count(completed(step))).count;
    },
    async collect(step) {
      const finals = new Map<number, number>();
      for await (const execution of temporal.client.workflow.list({ query: completed(step) })) {
        if (execution.closeTime) finals.set(indexOf(execution.workflowId), execution.closeTime.getTime());
      }
      return { finals, escalations: null };
    },
    async sampleWorkflowIds(step, count) {
      const ids: string[] = [];
      for await (const execution of temporal.client.workflow.list({ query: completed(step), pageSize: count })) {
        ids.push(execution.workflowId);
        if (ids.length === count) break;
      }
      return ids;
    },
    async stop() {
      await Promise.allSettled(lateSignals);
      await stopWorker();
    },
  };
}
