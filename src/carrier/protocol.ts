/** The carrier's HTTP protocol, spoken by our client and by the simulator. */
import { z } from 'zod';
import { Carrier, PHONE_PATTERN } from '../shared/carriers.ts';
import { storableText } from '../util/storable-text.ts';

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
  // Credited, then taken back (冲正): for an order still open, the phone kept nothing, as if it had FAILED.
  z.object({ state: z.literal('REVERSED'), carrierOrderId: z.string() }).transform(({ carrierOrderId }) => ({
    state: 'FAILED' as const,
    carrierOrderId,
    reason: 'the supplier credited the phone, then reversed the top-up',
  })),
]);

/** Body of the carrier's signed callback to POST /callbacks/carrier; a field it does not know is refused, as on every route. */
export const carrierCallbackBodySchema = z
  .strictObject({
    orderId: storableText(64, 1),
    carrierOrderId: storableText(64, 1),
    status: z.enum(['SUCCESS', 'FAILED', 'REVERSED']),
    reason: storableText(500).optional(),
    timestamp: z.iso.datetime({ offset: true }),
  })
  .meta({
    examples: [
      {
        orderId: '5b0f4c3e-7a52-4b8e-9d3c-1f2e3a4b5c6d-1',
        carrierOrderId: 'C123',
        status: 'SUCCESS',
        timestamp: '2026-11-23T12:00:00Z',
      },
    ],
  });
export type CarrierCallbackBody = z.infer<typeof carrierCallbackBodySchema>;

export const SIGNATURE_HEADER = 'X-Signature';
