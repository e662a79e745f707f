import { ScheduleAlreadyRunning, type Client, type ScheduleSpec } from '@temporalio/client';
import { TASK_QUEUE } from '../shared/order-workflow.ts';

export interface WorkflowSchedule {
  scheduleId: string;
  spec: ScheduleSpec;
  workflowType: string;
  args: unknown[];
}

/**
 * Creates a schedule that starts `workflowType` on the order task queue
 * (each run's workflow id: the schedule's, with its scheduled time
 * appended by the server; a run still going when the next is due is not
 * doubled), unless it exists: run by every worker at start-up, so a new
 * cluster gets it without a separate step, and an existing one is left as
 * operators may have set it (paused, say). Whether it was created now.
 */
export async function ensureSchedule(
  client: Client,
  { scheduleId, spec, workflowType, args }: WorkflowSchedule,
): Promise<boolean> {
  try {
    await client.schedule.create({
      scheduleId,
      spec,
      action: { type: 'startWorkflow', workflowType, workflowId: scheduleId, taskQueue: TASK_QUEUE, args },
      policies: { overlap: 'SKIP' },
    });
    return true;
  } catch (error) {
    if (error instanceof ScheduleAlreadyRunning) return false;
    throw error;
  }
}
