import type { Client } from '@temporalio/client';
import { STATEMENT_ISSUING_WORKFLOW_TYPE, STATEMENT_SCHEDULE_ID } from '../shared/statements.ts';
import { ensureSchedule } from './schedules.ts';

/**
 * The statement schedule: every hour, at 5 past (merchants' days end at
 * their own midnights, on the hour in nearly every zone), every merchant's
 * closed days are issued.
 */
export async function ensureStatementSchedule(client: Client): Promise<void> {
  await ensureSchedule(client, {
    scheduleId: STATEMENT_SCHEDULE_ID,
    spec: { calendars: [{ hour: '*', minute: 5 }] },
    workflowType: STATEMENT_ISSUING_WORKFLOW_TYPE,
    args: [],
  });
}
