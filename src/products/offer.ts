/** A supplier's offer, as routing and the catalogue read it: what it sells, where, how fast, at what rate. */
export interface Offer {
  carriers: string[];
  faceValuesYuan: number[];
  /** Empty: every province (a national channel). */
  provinces: string[];
  speeds: string[];
  /** Its cost rate per carrier, as stored ("0.97"). */
  rates: Partial<Record<string, string>>;
}

/** A product: absent province (orders from before segments, a national product): only national offers cover it. */
export interface ProductKey {
  carrier: string;
  faceValueYuan: number;
  speed: string;
  province?: string | null | undefined;
}

/** Why the offer does not cover the product, or undefined when it does (the one rule routing and the catalogue share). */
export function offerGap(offer: Offer, product: ProductKey): string | undefined {
  const { carrier, faceValueYuan, speed, province } = product;
  if (!offer.carriers.includes(carrier) || !offer.faceValuesYuan.includes(faceValueYuan) || !offer.rates[carrier])
    return `does not sell ${carrier} ${faceValueYuan} yuan`;
  if (!offer.speeds.includes(speed)) return `does not sell ${speed} recharge`;
  if (offer.provinces.length > 0 && !offer.provinces.includes(province ?? ''))
    return `does not serve ${province ?? 'numbers of unknown province'}`;
  return undefined;
}
