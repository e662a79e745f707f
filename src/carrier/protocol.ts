/** The carrier's HTTP protocol, spoken by our client and by the simulator. */
import { z } from 'zod';
import { Carrier, PHONE_PATTERN } from '../shared/carriers.ts';

export const rechargeRequestSchema = z.object({
  requestId: z.string().min(1).max(64),
  phone: z.string().regex(PHONE_PATTERN),
  carrier: z.enum(Carrier),
  amountYuan: z.number().int().positive(),
  callbackUrl: z.url(),
  /**
   * The latest moment the supplier may take the request (RFC 3339); one that
   * arrives later is refused, taking nothing. A request held up on its way
   * (a frozen worker, a slow network) cannot then be taken after the order
   * has asked the supplier's status and, hearing "never received", moved on.
   */
  notAfter: z.iso.datetime({ offset: true }).optional(),
});
export type RechargeRequest = z.infer<typeof rechargeRequestSchema>;

export const rechargeAnswerSchema = z.discriminatedUnion('accepted', [
  z.object({ accepted: z.literal(true), carrierOrderId: z.string() }),
  z.object({ accepted: z.literal(false), reason: z.string() }),
]);

export const statusAnswerSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('PROCESSING'), carrierOrderId: z.string() }),
  z.object({ state: z.literal('SUCCESS'), carrierOrderId: z.string() }),
  z.object({ state: z.literal('FAILED'), carrierOrderId: z.string(), reason: z.string() }),
  z.object({ state: z.literal('NOT_FOUND') }),
]);

/** Body of the carrier's signed callback to POST /callbacks/carrier. */
export const carrierCallbackBodySchema = z.object({
  orderId: z.string().min(1).max(64),
  carrierOrderId: z.string().min(1).max(64),
  status: z.enum(['SUCCESS', 'FAILED']),
  reason: z.string().max(500).optional(),
  timestamp: z.iso.datetime({ offset: true }),
});
export type CarrierCallbackBody = z.infer<typeof carrierCallbackBodySchema>;

export const SIGNATURE_HEADER = 'X-Signature';
