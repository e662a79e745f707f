import { createHash } from 'node:crypto';
import type { Db } from './prisma.ts';

/** A supplier callback refused after its signature verified, as it arrived and why. */
export interface RefusedCallback {
  supplierId?: string;
  /** The callback's `orderId` field: the attempt's request id (the order id on `/callbacks/carrier`). */
  requestId: string;
  reason: string;
  rawBody: string;
}

/** Where refused callbacks are kept for review (refused_callbacks). */
export function refusedCallbackStore(db: Db) {
  return {
    async recordRefusedCallback({ supplierId, requestId, reason, rawBody }: RefusedCallback): Promise<void> {
      const bodySha256 = createHash('sha256').update(rawBody).digest('hex');
      // A replayed body is kept once, however often it comes.
      await db.refusedCallback.createMany({
        data: [{ supplierId: supplierId ?? null, requestId, reason, rawBody, bodySha256 }],
        skipDuplicates: true,
      });
    },
  };
}
