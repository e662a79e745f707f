import { describe, expect, it } from 'vitest';
import { BreakerState } from '../../src/shared/suppliers.ts';
import { rankSuppliers, type RoutableSupplier } from '../../src/suppliers/routing.ts';

const supplier = (id: string, fields: Partial<RoutableSupplier> = {}): RoutableSupplier => ({
  id,
  enabled: true,
  carriers: ['CMCC', 'CUCC', 'CTCC'],
  faceValuesYuan: [10, 50, 100],
  provinces: [],
  speeds: ['fast'],
  priority: 1,
  weight: 1,
  balanceFen: 1_000_000n,
  rates: { CMCC: '0.97', CUCC: '0.97', CTCC: '0.97' },
  breakerState: BreakerState.CLOSED,
  coolDownOver: false,
  ...fields,
});
const order = {
  orderId: 'order-1',
  carrier: 'CMCC' as const,
  amountYuan: 50,
  attempt: 1,
  merchantPriceFen: 5000,
  declined: [],
  resting: [],
};
const ids = (result: ReturnType<typeof rankSuppliers>) => result.candidates.map((c) => c.supplierId);

describe('supplier routing', () => {
  it('tries suppliers by priority, lower first, with the cost at their rate', () => {
    const result = rankSuppliers(
      [supplier('b', { priority: 2 }), supplier('a', { priority: 1, rates: { CMCC: '0.965' } })],
      order,
    );
    expect(result.candidates).toEqual([
      { supplierId: 'a', costFen: 4825, probe: false },
      { supplierId: 'b', costFen: 4850, probe: false },
    ]);
  });

  it('passes over, with the reason, suppliers that cannot take the order for good or for now', () => {
    const result = rankSuppliers(
      [
        supplier('declined'),
        supplier('no-ctcc', { carriers: ['CUCC'] }),
        supplier('no-50', { faceValuesYuan: [100] }),
        supplier('dear', { rates: { CMCC: '1.02' } }),
        supplier('off', { enabled: false }),
        supplier('broke', { balanceFen: 4849n }),
        supplier('open', { breakerState: BreakerState.OPEN }),
      ],
      { ...order, declined: ['declined'] },
    );
    expect(result.candidates).toEqual([]);
    expect(result.skipped.map((s) => [s.supplierId, s.lasting, s.reason])).toEqual([
      ['declined', true, 'declined this order'],
      ['no-ctcc', true, 'does not sell CMCC 50 yuan'],
      ['no-50', true, 'does not sell CMCC 50 yuan'],
      ['dear', true, "costs 5100 fen, more than the merchant's 5000"],
      ['off', false, 'disabled'],
      ['broke', false, 'prepaid balance 4849 fen is below the cost'],
      ['open', false, 'circuit breaker OPEN'],
    ]);
  });

  it("takes only suppliers serving the order's province and speed, a provincial one before a national one of its priority", () => {
    const guangdong = { ...order, province: '广东', speed: 'fast' as const };
    const suppliers = [
      supplier('national', { weight: 1000 }),
      supplier('guangdong', { provinces: ['广东', '广西'], weight: 1 }),
      supplier('beijing', { provinces: ['北京'] }),
      supplier('slow-only', { speeds: ['slow'] }),
      supplier('cheap-but-later', { provinces: ['广东'], priority: 2 }),
    ];
    const result = rankSuppliers(suppliers, guangdong);
    expect(ids(result)).toEqual(['guangdong', 'national', 'cheap-but-later']);
    expect(result.skipped.map((s) => [s.supplierId, s.lasting, s.reason])).toEqual([
      ['beijing', true, 'does not serve 广东'],
      ['slow-only', true, 'does not sell fast recharge'],
    ]);
    const slow = rankSuppliers(suppliers, { ...guangdong, speed: 'slow' });
    expect(ids(slow)).toEqual(['slow-only']);
  });

  it('sends an order from before provinces and speeds (neither in its input) to national fast suppliers only', () => {
    const result = rankSuppliers([supplier('national'), supplier('guangdong', { provinces: ['广东'] })], order);
    expect(ids(result)).toEqual(['national']);
  });

  it('tries a supplier that just never received an attempt last, or again if it is the only one', () => {
    const resting = { ...order, resting: ['a'] };
    expect(ids(rankSuppliers([supplier('a', { priority: 1 }), supplier('b', { priority: 2 })], resting))).toEqual([
      'b',
      'a',
    ]);
    expect(ids(rankSuppliers([supplier('a')], resting))).toEqual(['a']);
  });

  it('offers an open breaker past its cool-down as a probe', () => {
    const result = rankSuppliers([supplier('open', { breakerState: BreakerState.OPEN, coolDownOver: true })], order);
    expect(result.candidates).toEqual([{ supplierId: 'open', costFen: 4850, probe: true }]);
  });

  it('has no price ceiling for an order placed before merchant accounts', () => {
    expect(
      ids(rankSuppliers([supplier('dear', { rates: { CMCC: '1.5' } })], { ...order, merchantPriceFen: undefined })),
    ).toEqual(['dear']);
  });

  it('splits one priority by weight, the same way every time for one order and attempt', () => {
    const suppliers = [supplier('heavy', { weight: 9 }), supplier('light', { weight: 1 })];
    const firsts = Array.from(
      { length: 2_000 },
      (_, i) => ids(rankSuppliers(suppliers, { ...order, orderId: `order-${i}` }))[0],
    );
    const heavyShare = firsts.filter((id) => id === 'heavy').length / firsts.length;
    expect(heavyShare).toBeGreaterThan(0.86);
    expect(heavyShare).toBeLessThan(0.94);
    expect(ids(rankSuppliers(suppliers, order))).toEqual(ids(rankSuppliers(suppliers, order)));
  });
});
