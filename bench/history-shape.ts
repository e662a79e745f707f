import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

export interface HistoryShape {
  sampled: number;
  /** Mean per order: each workflow task is a round trip between server and worker, and the server's main cost. */
  workflowTasks: number;
  events: number;
  searchAttributeUpserts: number;
}

const { EventType } = proto.temporal.api.enums.v1;

/** The mean shape of some orders' histories: where the server's work per order goes. */
export async function historyShape(client: Client, workflowIds: string[]): Promise<HistoryShape | undefined> {
  if (workflowIds.length === 0) return undefined;
  const totals = { workflowTasks: 0, events: 0, searchAttributeUpserts: 0 };
  for (const workflowId of workflowIds) {
    const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    totals.events += events.length;
    totals.workflowTasks += events.filter((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED).length;
    totals.searchAttributeUpserts += events.filter((event) => event.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES).length;
  }
  const mean = (total: number) => Math.round((total / workflowIds.length) * 100) / 100;
  return { sampled: workflowIds.length, workflowTasks: mean(totals.workflowTasks), events: mean(totals.events), searchAttributeUpserts: mean(totals.searchAttributeUpserts) };
}
