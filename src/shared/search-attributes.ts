/**
 * Typed custom search attributes of every order workflow: what operators
 * filter on in the Web UI and in `temporal workflow list --query`.
 * Registered by `npm start` on the dev server; on a real cluster with
 * `temporal operator search-attribute create` (see docs/operations.md).
 */
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import type { Carrier } from './carriers.ts';
import { OrderStatus } from './order-status.ts';
import type { Speed } from './speeds.ts';

export const OrderStatusAttribute = defineSearchAttributeKey('OrderStatus', SearchAttributeType.KEYWORD);
export const CarrierAttribute = defineSearchAttributeKey('Carrier', SearchAttributeType.KEYWORD);
/** The merchant that pays for the order (absent on orders started before merchant accounts). */
export const MerchantIdAttribute = defineSearchAttributeKey('MerchantId', SearchAttributeType.KEYWORD);
/** Unique per merchant only: two merchants' orders may share one. */
export const MerchantOrderNoAttribute = defineSearchAttributeKey('MerchantOrderNo', SearchAttributeType.KEYWORD);
export const AmountYuanAttribute = defineSearchAttributeKey('AmountYuan', SearchAttributeType.INT);
export const EscalatedAtAttribute = defineSearchAttributeKey('EscalatedAt', SearchAttributeType.DATETIME);
/** When the order became SUCCEEDED or FAILED (its workflow may stay open a while after: notification, late callbacks). */
export const FinishedAtAttribute = defineSearchAttributeKey('FinishedAt', SearchAttributeType.DATETIME);
/** Set when the carrier contradicts a final decision (e.g. SUCCESS after an operator resolved FAILED). */
export const NeedsReviewAttribute = defineSearchAttributeKey('NeedsReview', SearchAttributeType.BOOL);

/** The supplier that took the order (routed orders), so operators find one supplier's stuck orders. */
export const SupplierAttribute = defineSearchAttributeKey('Supplier', SearchAttributeType.KEYWORD);

/** The number's province (its segment's, as the data set names it: 北京, 广东), so operators find one region's orders. */
export const ProvinceAttribute = defineSearchAttributeKey('Province', SearchAttributeType.KEYWORD);
/** fast or slow: a slow order may stay open for a day. */
export const SpeedAttribute = defineSearchAttributeKey('Speed', SearchAttributeType.KEYWORD);

export const ORDER_SEARCH_ATTRIBUTES = [
  OrderStatusAttribute,
  CarrierAttribute,
  MerchantIdAttribute,
  MerchantOrderNoAttribute,
  AmountYuanAttribute,
  EscalatedAtAttribute,
  FinishedAtAttribute,
  NeedsReviewAttribute,
  SupplierAttribute,
  ProvinceAttribute,
  SpeedAttribute,
];

/**
 * A new order's attributes. The API sets them when it starts the workflow,
 * so the start itself makes the order findable, without a separate
 * visibility write; a workflow started without them upserts them first.
 */
export function newOrderSearchAttributes(order: {
  merchantId?: string;
  merchantOrderNo: string;
  carrier: Carrier;
  amountYuan: number;
  province?: string;
  speed?: Speed;
}): SearchAttributePair[] {
  return [
    { key: OrderStatusAttribute, value: OrderStatus.PENDING },
    { key: CarrierAttribute, value: order.carrier },
    ...(order.merchantId !== undefined ? [{ key: MerchantIdAttribute, value: order.merchantId }] : []),
    { key: MerchantOrderNoAttribute, value: order.merchantOrderNo },
    { key: AmountYuanAttribute, value: order.amountYuan },
    ...(order.province !== undefined ? [{ key: ProvinceAttribute, value: order.province }] : []),
    ...(order.speed !== undefined ? [{ key: SpeedAttribute, value: order.speed }] : []),
  ];
}

/**
 * A reversal workflow's attributes at its start: the order's, but no status; the workflow sets
 * `OrderStatus="REVERSED"` once the order is reversed, so that query finds every reversal and no refused one.
 */
export function reversalSearchAttributes(
  order: Parameters<typeof newOrderSearchAttributes>[0] & { supplierId?: string },
): SearchAttributePair[] {
  return [
    ...newOrderSearchAttributes(order).filter((pair) => pair.key !== OrderStatusAttribute),
    ...(order.supplierId !== undefined ? [{ key: SupplierAttribute, value: order.supplierId }] : []),
  ];
}
