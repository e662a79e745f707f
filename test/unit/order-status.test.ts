import { describe, expect, it } from 'vitest';
import { OrderStatus as PrismaOrderStatus } from '../../src/generated/prisma/enums.ts';
import { ALLOWED_FROM, FINAL_STATUSES, OrderStatus, canMove } from '../../src/shared/order-status.ts';

describe('order status', () => {
  it('is the same enum in the workflow code and in the database schema', () => {
    expect(Object.values(OrderStatus).sort()).toEqual(Object.values(PrismaOrderStatus).sort());
  });

  it('never leaves a final status, but for a reversal of a SUCCEEDED order', () => {
    for (const final of FINAL_STATUSES) {
      for (const to of Object.values(OrderStatus)) {
        const reversal = final === OrderStatus.SUCCEEDED && to === OrderStatus.REVERSED;
        expect(canMove(final, to), `${final} -> ${to}`).toBe(reversal);
      }
    }
    for (const other of Object.values(OrderStatus).filter((status) => status !== OrderStatus.SUCCEEDED))
      expect(canMove(other, OrderStatus.REVERSED), `${other} -> REVERSED`).toBe(false);
  });

  it('never moves back to PENDING and reaches a final status from every open one', () => {
    expect(ALLOWED_FROM.PENDING).toEqual([]);
    for (const open of [OrderStatus.PENDING, OrderStatus.PROCESSING, OrderStatus.UNKNOWN, OrderStatus.ESCALATED]) {
      expect(canMove(open, OrderStatus.SUCCEEDED)).toBe(true);
      expect(canMove(open, OrderStatus.FAILED)).toBe(true);
    }
  });

  it('lets an escalated order go back to PROCESSING only (an operator retry), not to UNKNOWN', () => {
    expect(canMove(OrderStatus.ESCALATED, OrderStatus.PROCESSING)).toBe(true);
    expect(canMove(OrderStatus.ESCALATED, OrderStatus.UNKNOWN)).toBe(false);
  });
});
