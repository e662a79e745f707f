import { isDeepStrictEqual } from 'node:util';
import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';
import { TASK_QUEUE } from '../shared/order-workflow.ts';
import {
  RECONCILIATION_SCHEDULE_ID,
  RECONCILIATION_WORKFLOW_TYPE,
  type ReconciliationInput,
} from '../shared/reconciliation.ts';

/** A failed order is refunded within moments; one still unrefunded this long after failing is a finding. */
const REFUND_SETTLE_SECONDS = 300;

export const reconciliationInput = (
  trigger: ReconciliationInput['trigger'],
  slaSeconds: number,
): ReconciliationInput => ({
  trigger,
  staleAfterSeconds: slaSeconds,
  settleSeconds: REFUND_SETTLE_SECONDS,
});

/**
 * Creates the daily reconciliation schedule (03:00 Beijing time, after the
 * day's traffic) unless it exists; run by every worker at start-up, so a new
 * cluster gets it without a separate step. Of an existing schedule only the
 * workflow's input is brought up to date (a changed SLA, say); its times and
 * state stay as operators may have set them (paused, say).
 */
export async function ensureReconciliationSchedule(client: Client, slaSeconds: number): Promise<void> {
  const args = [reconciliationInput('schedule', slaSeconds)];
  try {
    await client.schedule.create({
      scheduleId: RECONCILIATION_SCHEDULE_ID,
      spec: { calendars: [{ hour: 3, minute: 0 }], timezone: 'Asia/Shanghai' },
      action: {
        type: 'startWorkflow',
        workflowType: RECONCILIATION_WORKFLOW_TYPE,
        workflowId: RECONCILIATION_SCHEDULE_ID, // the server appends each run's scheduled time
        taskQueue: TASK_QUEUE,
        args,
      },
      // A run still going when the next is due (a huge backlog, a long outage) is not doubled.
      policies: { overlap: 'SKIP' },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    const schedule = client.schedule.getHandle(RECONCILIATION_SCHEDULE_ID);
    const { action } = await schedule.describe();
    if (isDeepStrictEqual(action.args, args)) return;
    await schedule.update((current) => ({ ...current, action: { ...current.action, args } }));
  }
}
