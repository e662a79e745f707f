import { describe, expect, it } from 'vitest';
import { statusAnswerSchema } from '../../src/carrier/protocol.ts';

describe("a supplier's status answer", () => {
  it('reads a reversed top-up of an order still open as FAILED: the phone kept nothing', () => {
    expect(statusAnswerSchema.parse({ state: 'REVERSED', carrierOrderId: 'C-9' })).toEqual({
      state: 'FAILED',
      carrierOrderId: 'C-9',
      reason: 'the supplier credited the phone, then reversed the top-up',
    });
    expect(statusAnswerSchema.parse({ state: 'SUCCESS', carrierOrderId: 'C-9' })).toEqual({
      state: 'SUCCESS',
      carrierOrderId: 'C-9',
    });
    expect(statusAnswerSchema.safeParse({ state: 'REVERSED' }).success).toBe(false);
  });
});
