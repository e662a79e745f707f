import { OrderEvent } from '../shared/order-events.ts';
import type { OrderEventInput } from './order-repository.ts';
import type { PreparedSql } from './prisma.ts';

/** A supplier's acceptance of an attempt (its request id), as the submit activity records it. */
export interface AcceptanceInput {
  orderId: string;
  requestId: string;
  supplierId: string;
  carrierOrderId: string;
  event: OrderEventInput;
}

/**
 * A supplier took an attempt: the order moves PENDING → PROCESSING with the
 * supplier and its order id, and the event is recorded, in one statement;
 * unless the order is no longer PENDING or that supplier has already
 * reported the attempt FAILED (its callback is stored before the workflow
 * hears of it, so an acceptance that comes after a refusal the workflow may
 * have acted on never moves the view). Whether it did; if not, nothing was
 * written.
 */
export async function recordAcceptance(
  sql: PreparedSql,
  { orderId, requestId, supplierId, carrierOrderId, event }: AcceptanceInput,
): Promise<boolean> {
  const [row] = await sql<{ moved: number }>`
    WITH moved AS (
      UPDATE orders SET status = 'PROCESSING', carrier_order_id = COALESCE(${carrierOrderId}, carrier_order_id),
        supplier_id = ${supplierId}, updated_at = ${new Date()}
      WHERE id = ${orderId} AND status = 'PENDING'
        AND NOT EXISTS (
          SELECT 1 FROM order_events e
          WHERE e.order_id = ${orderId} AND e.type = ${OrderEvent.CALLBACK_RECEIVED}
            AND e.detail->>'requestId' = ${requestId} AND e.detail->>'status' = 'FAILED'
        )
      RETURNING id
    ), recorded AS (
      INSERT INTO order_events (order_id, key, type, detail)
      SELECT id, ${event.key}, ${event.type}, ${JSON.stringify(event.detail ?? {})}::jsonb FROM moved
      ON CONFLICT (order_id, key) DO NOTHING
    )
    SELECT count(*)::int AS moved FROM moved`;
  return row?.moved === 1;
}
