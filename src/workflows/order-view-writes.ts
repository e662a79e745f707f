import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { upsertSearchAttributes } from '@temporalio/workflow';
import {
  EscalatedAtAttribute,
  FinishedAtAttribute,
  OrderStatusAttribute,
  SupplierAttribute,
} from '../shared/search-attributes.ts';
import { view } from './activity-stubs.ts';
import type { OrderCommand } from './order/state.ts';

/**
 * The workflow's writes to the order view (local activities, each keyed
 * `workflow:<n>` so a retried write is stored once) and the search
 * attributes that follow them: a status reaches the view first, so the Web UI
 * never shows what the view does not; and the attributes move once the loop
 * goes idle, one upsert (a history event) for a burst of status changes.
 */
export function createViewWrites(orderId: string, startSeq: number) {
  let seq = startSeq;
  const nextKey = () => `workflow:${++seq}`;
  let attributes: SearchAttributeUpdatePair[] = [];
  const setAttribute = (pair: SearchAttributeUpdatePair) =>
    (attributes = [...attributes.filter((other) => other.key.name !== pair.key.name), pair]);

  return {
    /** A key for a write an activity makes itself (a status question records its answer). */
    nextKey,
    setAttribute,
    /** How many keys were handed out; carried over by continue-as-new. */
    eventSeq: () => seq,

    async write({ event, detail = {}, transition }: Extract<OrderCommand, { type: 'write-view' }>): Promise<void> {
      const eventKey = nextKey();
      if (!transition) return view.recordEvent({ orderId, eventKey, type: event, detail });
      const { to, fields = {} } = transition;
      await view.recordTransition({ orderId, eventKey, eventType: event, to, detail, ...fields });
      setAttribute({ key: OrderStatusAttribute, value: to });
      if (fields.escalatedAt) setAttribute({ key: EscalatedAtAttribute, value: new Date(fields.escalatedAt) });
      if (fields.finishedAt) setAttribute({ key: FinishedAtAttribute, value: new Date(fields.finishedAt) });
      if (fields.supplierId) setAttribute({ key: SupplierAttribute, value: fields.supplierId });
    },

    flagForReview: (reason: string) => view.flagForReview({ orderId, reason, eventKey: nextKey() }),

    flushAttributes(): void {
      if (attributes.length > 0) upsertSearchAttributes(attributes);
      attributes = [];
    },
  };
}

export type ViewWrites = ReturnType<typeof createViewWrites>;
