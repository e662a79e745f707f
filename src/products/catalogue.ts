/**
 * What a merchant can buy: the products (carrier, province, face value,
 * speed) the enabled suppliers offer, at the merchant's price, where some
 * supplier's cost is within that price (routing never sends an order to a
 * supplier that costs more than the merchant pays). Pure: over the
 * suppliers' snapshot and the merchant's rates.
 */
import type { MerchantRates } from '../db/merchant-rates.ts';
import { costFen } from '../merchants/pricing.ts';
import { CARRIERS, type Carrier } from '../shared/carriers.ts';
import { SPEEDS, type Speed } from '../shared/speeds.ts';
import { offerGap, type Offer } from './offer.ts';

/** A supplier's offer as the catalogue reads it. */
export interface CatalogueOffer extends Offer {
  enabled: boolean;
}

export interface Product {
  carrier: Carrier;
  /** null: every province (a national supplier's product, in the catalogue without a number). */
  province: string | null;
  faceValueYuan: number;
  speed: Speed;
  priceFen: number;
}

/** What an order for this product costs the merchant, or undefined if the merchant has no price for it. */
export function merchantPriceFen(rates: MerchantRates, carrier: Carrier, speed: Speed, amountYuan: number) {
  const rate = speed === 'slow' ? rates.slow?.[carrier] : rates[carrier];
  return rate === undefined ? undefined : costFen(amountYuan, rate);
}

/** Whether the offer sells this product within the merchant's price. */
const sells = (offer: CatalogueOffer, product: Product) =>
  offer.enabled &&
  offerGap(offer, product) === undefined &&
  costFen(product.faceValueYuan, offer.rates[product.carrier] as string) <= product.priceFen;

/** Whether the merchant can buy this product now. */
export function isAvailable(
  offers: CatalogueOffer[],
  rates: MerchantRates,
  order: { carrier: Carrier; province: string; speed: Speed; amountYuan: number },
): boolean {
  const priceFen = merchantPriceFen(rates, order.carrier, order.speed, order.amountYuan);
  if (priceFen === undefined) return false;
  const product = { ...order, faceValueYuan: order.amountYuan, priceFen };
  return offers.some((offer) => sells(offer, product));
}

/**
 * Every product the merchant can buy: for one number's carrier and province,
 * or (without `where`) the whole catalogue, a provincial supplier's products
 * under their province and a national one's under `province: null`. Sorted
 * by carrier, province, speed and face value.
 */
export function catalogue(
  offers: CatalogueOffer[],
  rates: MerchantRates,
  where?: { carrier: Carrier; province: string },
): Product[] {
  const carriers = where ? [where.carrier] : CARRIERS;
  const provinces = where
    ? [where.province]
    : [null, ...new Set(offers.flatMap((offer) => (offer.enabled ? offer.provinces : [])))];
  const faceValues = [...new Set(offers.flatMap((offer) => offer.faceValuesYuan))].sort((a, b) => a - b);
  const products: Product[] = [];
  for (const carrier of carriers)
    for (const province of [...provinces].sort(byProvince))
      for (const speed of SPEEDS)
        for (const faceValueYuan of faceValues) {
          const priceFen = merchantPriceFen(rates, carrier, speed, faceValueYuan);
          if (priceFen === undefined) continue;
          const product = { carrier, province, faceValueYuan, speed, priceFen };
          if (offers.some((offer) => sells(offer, product)) && (where || !listedNationally(offers, product)))
            products.push(product);
        }
  return products;
}

/** In the whole catalogue, a province's product that a national supplier sells is listed once, under `province: null`. */
const listedNationally = (offers: CatalogueOffer[], product: Product) =>
  product.province !== null && offers.some((offer) => sells(offer, { ...product, province: null }));

const byProvince = (a: string | null, b: string | null) =>
  a === null ? -1 : b === null ? 1 : a.localeCompare(b, 'zh-Hans-CN');
