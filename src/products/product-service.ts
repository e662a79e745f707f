import type { MerchantRates } from '../db/merchant-rates.ts';
import { soldCarrier, type NumberSegment, type SegmentTable } from '../numbers/segments.ts';
import type { SupplierSnapshot } from '../suppliers/supplier-snapshot.ts';
import { catalogue, type Product } from './catalogue.ts';

export type ProductsResult =
  | { kind: 'unknown-segment' }
  /** `segment`: the number's, when the merchant asked about one. */
  | { kind: 'products'; segment?: NumberSegment; products: Product[] };

export interface ProductService {
  /** The number's segment (carrier, province, city, virtual), or undefined when the table does not know it. */
  lookupNumber(phone: string): NumberSegment | undefined;
  /** What the merchant can buy now: for a number, or (without one) the whole catalogue. */
  products(rates: MerchantRates, phone?: string): Promise<ProductsResult>;
}

/** Merchants look a number up (归属地查询) and read what they can buy before they sell. */
export function createProductService({
  segments,
  offers,
}: {
  segments: Pick<SegmentTable, 'lookup'>;
  offers: SupplierSnapshot;
}): ProductService {
  return {
    lookupNumber: (phone) => segments.lookup(phone),

    async products(rates, phone) {
      if (phone === undefined) return { kind: 'products', products: catalogue(await offers(), rates) };
      const segment = segments.lookup(phone);
      if (!segment) return { kind: 'unknown-segment' };
      const carrier = soldCarrier(segment);
      const products = carrier ? catalogue(await offers(), rates, { carrier, province: segment.province }) : [];
      return { kind: 'products', segment, products };
    },
  };
}
