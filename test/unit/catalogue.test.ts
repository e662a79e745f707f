import { describe, expect, it } from 'vitest';
import { catalogue, isAvailable, type CatalogueOffer } from '../../src/products/catalogue.ts';

const offer = (fields: Partial<CatalogueOffer> = {}): CatalogueOffer => ({
  enabled: true,
  carriers: ['CMCC'],
  faceValuesYuan: [50],
  provinces: [],
  speeds: ['fast'],
  rates: { CMCC: '0.97' },
  ...fields,
});
const rates = { CMCC: '1', CUCC: '1', CTCC: '1', slow: { CMCC: '0.96' } };
const guangdongSlow = { carrier: 'CMCC', province: '广东', speed: 'slow', amountYuan: 50 } as const;

describe('the catalogue: what a merchant can buy', () => {
  it('sells a product some enabled supplier offers within the merchant’s price, at that price', () => {
    const offers = [offer(), offer({ provinces: ['广东'], speeds: ['slow'], rates: { CMCC: '0.95' } })];
    expect(catalogue(offers, rates, { carrier: 'CMCC', province: '广东' })).toEqual([
      { carrier: 'CMCC', province: '广东', faceValueYuan: 50, speed: 'fast', priceFen: 5000 },
      { carrier: 'CMCC', province: '广东', faceValueYuan: 50, speed: 'slow', priceFen: 4800 },
    ]);
    expect(catalogue(offers, rates, { carrier: 'CMCC', province: '北京' }).map((p) => p.speed)).toEqual(['fast']);
    expect(isAvailable(offers, rates, guangdongSlow)).toBe(true);
    expect(isAvailable(offers, rates, { ...guangdongSlow, province: '北京' })).toBe(false);
  });

  it('sells nothing a supplier would cost more for than the merchant pays, nothing disabled, no speed the merchant has no price for', () => {
    expect(isAvailable([offer({ speeds: ['slow'], rates: { CMCC: '0.97' } })], rates, guangdongSlow)).toBe(false);
    expect(isAvailable([offer({ enabled: false })], rates, { ...guangdongSlow, speed: 'fast' })).toBe(false);
    const fastOnly = { CMCC: '1', CUCC: '1', CTCC: '1' };
    expect(isAvailable([offer({ speeds: ['fast', 'slow'] })], fastOnly, guangdongSlow)).toBe(false);
  });

  it('lists the whole catalogue once per product: a national product under every province (null), a provincial one under its own', () => {
    const offers = [
      offer({ speeds: ['fast'] }),
      offer({ provinces: ['广东'], speeds: ['fast', 'slow'], rates: { CMCC: '0.9' } }),
    ];
    expect(catalogue(offers, rates)).toEqual([
      { carrier: 'CMCC', province: null, faceValueYuan: 50, speed: 'fast', priceFen: 5000 },
      { carrier: 'CMCC', province: '广东', faceValueYuan: 50, speed: 'slow', priceFen: 4800 },
    ]);
  });
});
