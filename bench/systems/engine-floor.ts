import { FLOOR_TASK_QUEUE, floorCallbackSignal } from '../engine-floor/shared.ts';
import { startNodeProcess, waitForWorker } from '../child-processes.ts';
import type { Infrastructure, TemporalServer } from '../infrastructure.ts';
import { indexOf, orderKey, type BenchSystem } from './system.ts';

/** The engine floor: start a bare order-shaped workflow, then signal its callback, straight over gRPC. */
export async function startEngineFloor(infra: Infrastructure, temporal: TemporalServer): Promise<BenchSystem> {
  const worker = startNodeProcess('floor-worker', 'bench/engine-floor/worker.ts', { TEMPORAL_ADDRESS: temporal.address }, infra.output);
  const stopWorker = infra.track(worker.stop);
  await waitForWorker(temporal.client, FLOOR_TASK_QUEUE);
  const completed = (step: string) => `WorkflowId STARTS_WITH "floor-${step}-" AND ExecutionStatus = "Completed"`;

  return {
    name: 'floor',
    title: 'Engine floor (bare workflow: one no-op activity, one signal, a 180 s timer)',
    processes: [{ name: worker.name, pid: worker.pid }],
    async submit(step, index) {
      const handle = await temporal.client.workflow.start('benchFloor', { taskQueue: FLOOR_TASK_QUEUE, workflowId: `floor-${orderKey(step, index)}` });
      await handle.signal(floorCallbackSignal);
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
    stop: stopWorker,
  };
}
