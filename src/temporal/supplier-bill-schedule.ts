import type { Client } from '@temporalio/client';
import { SUPPLIER_BILL_SCHEDULE_ID, SUPPLIER_BILL_WORKFLOW_TYPE } from '../shared/supplier-bill-reconciliation.ts';
import { ensureSchedule } from './schedules.ts';

/**
 * The daily supplier bill reconciliation (04:00 Beijing time, i.e. 20:00
 * UTC: the previous UTC day's bills are long closed). Each run reconciles
 * every enabled supplier's bill of the UTC day before it started.
 */
export async function ensureSupplierBillSchedule(client: Client): Promise<void> {
  await ensureSchedule(client, {
    scheduleId: SUPPLIER_BILL_SCHEDULE_ID,
    spec: { calendars: [{ hour: 4, minute: 0 }], timezone: 'Asia/Shanghai' },
    workflowType: SUPPLIER_BILL_WORKFLOW_TYPE,
    args: [{}],
  });
}
