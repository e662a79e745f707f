import { describe, expect, it } from 'vitest';
import { costFen } from '../../src/merchants/pricing.ts';

describe('order cost: face value × rate, in fen, rounded half up', () => {
  it('charges face value at rate 1 and discounts exactly at other rates', () => {
    expect(costFen(50, '1')).toBe(5000);
    expect(costFen(50, '1.000000')).toBe(5000);
    expect(costFen(30, '0.985')).toBe(2955);
    expect(costFen(500, '0.9975')).toBe(49875);
    expect(costFen(100, '1.02')).toBe(10200);
  });

  it('rounds half a fen up and anything less down, with no float error', () => {
    expect(costFen(10, '0.9855')).toBe(986); // 985.5
    expect(costFen(10, '0.98549')).toBe(985); // 985.49
    expect(costFen(20, '0.972225')).toBe(1944); // 1944.45
    expect(costFen(30, '0.333335')).toBe(1000); // 1000.005
    // In floating point 2000 × 1.00175 is 2003.4999999999998, which Math.round takes down: the cost must not be.
    expect(Math.round(2000 * 1.00175)).toBe(2003);
    expect(costFen(20, '1.00175')).toBe(2004);
    expect(costFen(10, '0.5065')).toBe(507);
  });

  it('refuses what is not a rate', () => {
    expect(() => costFen(10, '1e-7')).toThrow('not a rate');
    expect(() => costFen(10, '0.1234567')).toThrow('not a rate');
    expect(() => costFen(10, '-1')).toThrow('not a rate');
  });
});
