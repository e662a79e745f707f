/** What the carrier answers, as the workflow sees it (workflow-safe types only). */

/** The carrier's answer to a recharge request. A refusal is a business answer, not a fault. */
export type CarrierSubmission =
  { outcome: 'accepted'; carrierOrderId: string } | { outcome: 'refused'; reason: string };

/** The carrier's status endpoint. NOT_FOUND means the carrier never received the request. */
export type CarrierStatus =
  | { state: 'PROCESSING'; carrierOrderId: string }
  | { state: 'SUCCESS'; carrierOrderId: string }
  | { state: 'FAILED'; carrierOrderId: string; reason: string }
  | { state: 'NOT_FOUND' };

export type CarrierResultStatus = 'SUCCESS' | 'FAILED' | 'REVERSED';
