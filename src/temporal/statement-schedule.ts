import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';
import { TASK_QUEUE } from '../shared/order-workflow.ts';
import { STATEMENT_ISSUING_WORKFLOW_TYPE, STATEMENT_SCHEDULE_ID } from '../shared/statements.ts';

/**
 * Creates the statement schedule unless it exists: every hour, at 5 past
 * (merchants' days end at their own midnights, on the hour in nearly every
 * zone), every merchant's closed days are issued. Run by every worker at
 * start-up; an existing schedule is left as operators may have set it.
 */
export async function ensureStatementSchedule(client: Client): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId: STATEMENT_SCHEDULE_ID,
      spec: { calendars: [{ hour: '*', minute: 5 }] },
      action: {
        type: 'startWorkflow',
        workflowType: STATEMENT_ISSUING_WORKFLOW_TYPE,
        workflowId: STATEMENT_SCHEDULE_ID, // the server appends each run's scheduled time
        taskQueue: TASK_QUEUE,
        args: [],
      },
      // A run still going when the next is due is not doubled.
      policies: { overlap: 'SKIP' },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
}
