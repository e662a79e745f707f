import { upsertSearchAttributes } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { TransitionFields } from '../../shared/order-activities.ts';
import { OrderStatus } from '../../shared/order-status.ts';
import { EscalatedAtAttribute, FinishedAtAttribute, OrderStatusAttribute, SupplierAttribute } from '../../shared/search-attributes.ts';

/**
 * The order's status search attributes (OrderStatus, EscalatedAt,
 * FinishedAt, and Supplier with the status that names it), moved only after the view has the status, so an operator who
 * finds an order in the Web UI finds the same status in the view.
 *
 * Coalesced (orders started under the `coalesced-order-writes` patch): one
 * upsert once no later status write is queued. Each upsert is a history event
 * and a visibility write; under load the carrier's answer and its callback
 * arrive in one workflow task, and PROCESSING would be replaced by the final
 * status in that same task. Otherwise, as the older histories recorded: an
 * upsert per status, and EscalatedAt and FinishedAt each in their own.
 */
export function createStatusAttributes(initial: OrderStatus, coalesced: boolean) {
  let shown = initial;
  let statusWritesQueued = 0;
  let pending: SearchAttributeUpdatePair[] = [];
  const setPending = (pair: SearchAttributeUpdatePair) => (pending = [...pending.filter((other) => other.key.name !== pair.key.name), pair]);
  const upsert = (pairs: SearchAttributeUpdatePair[]) => {
    upsertSearchAttributes(pairs);
    for (const pair of pairs) if (pair.key.name === OrderStatusAttribute.name) shown = pair.value as OrderStatus;
  };

  return {
    /** A status write to the view was queued. */
    queued(): void {
      statusWritesQueued += 1;
    },

    /** The view has the status: the attributes follow, at once or with the last write queued. */
    written(to: OrderStatus, fields: TransitionFields = {}): void {
      statusWritesQueued -= 1;
      if (!coalesced) return upsert([{ key: OrderStatusAttribute, value: to }]);
      setPending({ key: OrderStatusAttribute, value: to });
      if (fields.escalatedAt) setPending({ key: EscalatedAtAttribute, value: new Date(fields.escalatedAt) });
      if (fields.finishedAt) setPending({ key: FinishedAtAttribute, value: new Date(fields.finishedAt) });
      if (fields.supplierId) setPending({ key: SupplierAttribute, value: fields.supplierId });
      if (statusWritesQueued > 0) return;
      upsert(pending);
      pending = [];
    },

    /** Histories before the workflow wrote carrier answers: the submit activity had written PROCESSING, the workflow moved only the attribute. */
    answeredByActivity(): void {
      if (shown === OrderStatus.PENDING) upsert([{ key: OrderStatusAttribute, value: OrderStatus.PROCESSING }]);
    },

    /** Older histories upserted EscalatedAt when announcing the escalation. */
    escalated(at: string): void {
      if (!coalesced) upsert([{ key: EscalatedAtAttribute, value: new Date(at) }]);
    },

    /** Older histories upserted FinishedAt after the final status (and a FAILED order's refund). */
    finished(): void {
      if (!coalesced) upsert([{ key: FinishedAtAttribute, value: new Date() }]);
    },
  };
}

export type StatusAttributes = ReturnType<typeof createStatusAttributes>;
