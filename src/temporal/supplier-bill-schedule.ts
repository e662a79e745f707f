import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';
import { TASK_QUEUE } from '../shared/order-workflow.ts';
import { SUPPLIER_BILL_SCHEDULE_ID, SUPPLIER_BILL_WORKFLOW_TYPE } from '../shared/supplier-bill-reconciliation.ts';

/**
 * Creates the daily supplier bill reconciliation (04:00 Beijing time, i.e.
 * 20:00 UTC: the previous UTC day's bills are long closed) unless it exists;
 * run by every worker at start-up. An existing schedule is left as operators
 * may have set it (paused, say). Each run reconciles every enabled supplier's
 * bill of the UTC day before it started.
 */
export async function ensureSupplierBillSchedule(client: Client): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId: SUPPLIER_BILL_SCHEDULE_ID,
      spec: { calendars: [{ hour: 4, minute: 0 }], timezone: 'Asia/Shanghai' },
      action: {
        type: 'startWorkflow',
        workflowType: SUPPLIER_BILL_WORKFLOW_TYPE,
        workflowId: SUPPLIER_BILL_SCHEDULE_ID, // the server appends each run's scheduled time
        taskQueue: TASK_QUEUE,
        args: [{}],
      },
      policies: { overlap: 'SKIP' },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
}
