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
 * PROCESSING, written by the submit activity, moves them only with the next
 * change (final, escalated, flagged): until then the Web UI shows PENDING
 * for an order the view shows PROCESSING, and no order pays an upsert for it.
 */
export function createViewWrites(orderId: string, startSeq: number) {
  let seq = startSeq;
  const nextKey = () => `workflow:${++seq}`;
  let attributes: SearchAttributeUpdatePair[] = [];
  /** Whether a change waits that is worth an upsert of its own. */
  let due = false;
  const setAttribute = (pair: SearchAttributeUpdatePair, { deferred = false } = {}) => {
    attributes = [...attributes.filter((other) => other.key.name !== pair.key.name), pair];
    due ||= !deferred;
  };

  return {
    /** A key for a write an activity makes itself (a status question records its answer). */
    nextKey,
    setAttribute,
    /** How many keys were handed out; carried over by continue-as-new. */
    eventSeq: () => seq,

    async write({
      event,
      detail = {},
      transition,
      written,
    }: Extract<OrderCommand, { type: 'write-view' }>): Promise<void> {
      if (!written) {
        const eventKey = nextKey();
        if (!transition) return view.recordEvent({ orderId, eventKey, type: event, detail });
        await view.recordTransition({
          orderId,
          eventKey,
          eventType: event,
          ...transition.fields,
          to: transition.to,
          detail,
        });
      }
      if (!transition) return;
      const { to, fields = {} } = transition;
      const deferred = { deferred: Boolean(written) };
      setAttribute({ key: OrderStatusAttribute, value: to }, deferred);
      if (fields.escalatedAt) setAttribute({ key: EscalatedAtAttribute, value: new Date(fields.escalatedAt) });
      if (fields.finishedAt) setAttribute({ key: FinishedAtAttribute, value: new Date(fields.finishedAt) });
      if (fields.supplierId) setAttribute({ key: SupplierAttribute, value: fields.supplierId }, deferred);
    },

    flagForReview: (reason: string) => view.flagForReview({ orderId, reason, eventKey: nextKey() }),

    /** Upserts the waiting attribute changes, if one of them is worth it. */
    flushAttributes(): void {
      if (!due) return;
      upsertSearchAttributes(attributes);
      attributes = [];
      due = false;
    },
  };
}

export type ViewWrites = ReturnType<typeof createViewWrites>;
