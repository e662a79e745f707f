import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

export interface HistoryShape {
  sampled: number;
  /** Mean per order: each workflow task is a round trip between server and worker, and the server's main cost. */
  workflowTasks: number;
  events: number;
  searchAttributeUpserts: number;
  /** Mean events per order by type (`ACTIVITY_TASK_SCHEDULED`, `MARKER_RECORDED`...): where each event comes from. */
  eventTypes: Record<string, number>;
}

const { EventType } = proto.temporal.api.enums.v1;

/** The mean shape of some orders' histories: where the server's work per order goes. */
export async function historyShape(client: Client, workflowIds: string[]): Promise<HistoryShape | undefined> {
  if (workflowIds.length === 0) return undefined;
  const totals = { workflowTasks: 0, events: 0, searchAttributeUpserts: 0 };
  const byType = new Map<string, number>();
  for (const workflowId of workflowIds) {
    const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    totals.events += events.length;
    for (const event of events) {
      const type = (EventType[event.eventType ?? 0] ?? 'UNKNOWN').replace(/^EVENT_TYPE_/, '');
      byType.set(type, (byType.get(type) ?? 0) + 1);
    }
    totals.workflowTasks += events.filter(
      (event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    ).length;
    totals.searchAttributeUpserts += events.filter(
      (event) => event.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
    ).length;
  }
  const mean = (total: number) => Math.round((total / workflowIds.length) * 100) / 100;
  return {
    sampled: workflowIds.length,
    workflowTasks: mean(totals.workflowTasks),
    events: mean(totals.events),
    searchAttributeUpserts: mean(totals.searchAttributeUpserts),
    eventTypes: Object.fromEntries(
      [...byType].sort(([a], [b]) => a.localeCompare(b)).map(([type, count]) => [type, mean(count)]),
    ),
  };
}
