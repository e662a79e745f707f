import { isDeepStrictEqual } from 'node:util';
import type { Client } from '@temporalio/client';
import {
  RECONCILIATION_SCHEDULE_ID,
  RECONCILIATION_WORKFLOW_TYPE,
  type ReconciliationInput,
} from '../shared/reconciliation.ts';
import { ensureSchedule } from './schedules.ts';

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
 * The daily reconciliation schedule (03:00 Beijing time, after the day's
 * traffic), created unless it exists (see ensureSchedule). Of an existing
 * schedule only the workflow's input is brought up to date (a changed SLA,
 * say); its times and state stay as operators may have set them.
 */
export async function ensureReconciliationSchedule(client: Client, slaSeconds: number): Promise<void> {
  const args = [reconciliationInput('schedule', slaSeconds)];
  const created = await ensureSchedule(client, {
    scheduleId: RECONCILIATION_SCHEDULE_ID,
    spec: { calendars: [{ hour: 3, minute: 0 }], timezone: 'Asia/Shanghai' },
    workflowType: RECONCILIATION_WORKFLOW_TYPE,
    args,
  });
  if (created) return;
  const schedule = client.schedule.getHandle(RECONCILIATION_SCHEDULE_ID);
  const { action } = await schedule.describe();
  if (isDeepStrictEqual(action.args, args)) return;
  await schedule.update((current) => ({ ...current, action: { ...current.action, args } }));
}
