import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { ReconciliationRepository } from '../db/reconciliation-repository.ts';
import { TASK_QUEUE } from '../shared/order-workflow.ts';
import { RECONCILIATION_WORKFLOW_TYPE, manualReconciliationId } from '../shared/reconciliation.ts';
import { reconciliationInput } from '../temporal/reconciliation-schedule.ts';
import type { reconciliation } from '../workflows/reconciliation.ts';

export type ReconciliationRun = NonNullable<Awaited<ReturnType<ReconciliationRepository['find']>>>;

export type ReconciliationReportResult =
  | { kind: 'not-found' }
  /** The run as it recorded itself (its findings included). */
  | { kind: 'recorded'; run: ReconciliationRun }
  /** Started, but its first step has not run (no worker yet, say): only its workflow knows of it. */
  | { kind: 'not-recorded-yet'; workflowStatus: string };

export interface ReconciliationService {
  /** Starts an on-demand run; its id names its report. */
  start(): Promise<{ runId: string }>;
  report(runId: string): Promise<ReconciliationReportResult>;
}

export interface ReconciliationServiceDeps {
  reconciliations: Pick<ReconciliationRepository, 'find'>;
  temporal: Client;
  slaSeconds: number;
}

/** On-demand reconciliation runs, and the report of any run (scheduled ones included). */
export function createReconciliationService({
  reconciliations,
  temporal,
  slaSeconds,
}: ReconciliationServiceDeps): ReconciliationService {
  return {
    async start() {
      const runId = manualReconciliationId(randomUUID());
      await temporal.workflow.start<typeof reconciliation>(RECONCILIATION_WORKFLOW_TYPE, {
        taskQueue: TASK_QUEUE,
        workflowId: runId,
        args: [reconciliationInput('manual', slaSeconds)],
      });
      return { runId };
    },

    async report(runId) {
      const run = await reconciliations.find(runId);
      if (run) return { kind: 'recorded', run };
      try {
        const workflow = await temporal.workflow.getHandle(runId).describe();
        return workflow.type === RECONCILIATION_WORKFLOW_TYPE
          ? { kind: 'not-recorded-yet', workflowStatus: workflow.status.name }
          : { kind: 'not-found' };
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return { kind: 'not-found' };
        throw error;
      }
    },
  };
}
