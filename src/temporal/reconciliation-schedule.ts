import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';
import { TASK_QUEUE } from '../shared/order-workflow.ts';
import { RECONCILIATION_SCHEDULE_ID, RECONCILIATION_WORKFLOW_TYPE, type ReconciliationInput } from '../shared/reconciliation.ts';

/** A failed order is refunded within moments; one still unrefunded this long after failing is a finding. */
const REFUND_SETTLE_SECONDS = 300;

export const reconciliationInput = (trigger: ReconciliationInput['trigger'], slaSeconds: number): ReconciliationInput => ({
  trigger,
  staleAfterSeconds: slaSeconds,
  settleSeconds: REFUND_SETTLE_SECONDS,
});

/**
 * Creates the daily reconciliation schedule (03:00 Beijing time, after the
 * day's traffic) unless it exists; run by every worker at start-up, so a new
 * cluster gets it without a separate step. An existing schedule is left as
 * operators may have changed it (paused it, say).
 */
export async function ensureReconciliationSchedule(client: Client, slaSeconds: number): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId: RECONCILIATION_SCHEDULE_ID,
      spec: { calendars: [{ hour: 3, minute: 0 }], timezone: 'Asia/Shanghai' },
      action: {
        type: 'startWorkflow',
        workflowType: RECONCILIATION_WORKFLOW_TYPE,
        workflowId: RECONCILIATION_SCHEDULE_ID, // the server appends each run's scheduled time
        taskQueue: TASK_QUEUE,
        args: [reconciliationInput('schedule', slaSeconds)],
      },
      // A run still going when the next is due (a huge backlog, a long outage) is not doubled.
      policies: { overlap: 'SKIP' },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
}
