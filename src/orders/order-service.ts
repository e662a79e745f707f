import type { Client } from '@temporalio/client';
import type { LedgerEntryRow, LedgerRepository } from '../db/ledger-repository.ts';
import type { AuthenticatedMerchant } from '../db/merchant-repository.ts';
import type { OrderRepository, OrderRow, OrderStory } from '../db/order-repository.ts';
import type { BalanceAfterDebit, NumberUsage } from '../db/order-admission.ts';
import { soldCarrier, type SegmentTable } from '../numbers/segments.ts';
import { isAvailable, merchantPriceFen } from '../products/catalogue.ts';
import type { Speed } from '../shared/speeds.ts';
import type { SupplierSnapshot } from '../suppliers/supplier-snapshot.ts';
import type { OrderState } from '../shared/order-workflow.ts';
import type { Logger } from '../util/logger.ts';
import { maskPhone } from '../util/mask.ts';
import { crossedMerchantLowBalance, type MerchantLowBalanceAlert } from '../merchants/low-balance-alert.ts';
import { liveOrderState } from './live-order-state.ts';
import type { OrderDispatcher } from './order-dispatcher.ts';

export interface SubmitOrderRequest {
  merchantOrderNo: string;
  phone: string;
  amount: number;
  /** fast when absent. */
  speed?: Speed | undefined;
  notifyUrl?: string | undefined;
}

export type SubmitOrderResult =
  /** Stored and debited now; its workflow is started by the dispatcher, right away or once Temporal can take it. */
  | { kind: 'accepted'; order: OrderRow }
  /** The same submission again: the order as it is, nothing new stored or debited. */
  | { kind: 'repeated'; order: OrderRow }
  /** The merchantOrderNo was already used with a different phone, amount, speed or notifyUrl. */
  | { kind: 'conflict' }
  /** Nothing stored: the segment table does not know the number. */
  | { kind: 'unknown-segment' }
  /** Nothing stored: no enabled supplier sells this carrier, province, face value and speed within the merchant's price. */
  | { kind: 'product-unavailable'; carrier: string; province: string; virtual: boolean }
  /** Nothing stored: the number must not be topped up. */
  | { kind: 'number-blocked' }
  /** Nothing stored: the number's orders of the last 24 hours leave no room for this one. */
  | { kind: 'number-limit-exceeded'; usage: NumberUsage }
  /** Nothing stored: the balance does not cover the cost. */
  | { kind: 'insufficient-balance'; costFen: number; balanceFen: bigint; creditLimitFen: bigint };

/** A merchant's order as a poll finds it: unchanged since the merchant's copy, or with its story. */
export type OwnOrder =
  { kind: 'not-modified'; version: string } | { kind: 'found'; story: OrderStory; version: string };

export type LiveStateResult = { kind: 'not-found' } | { kind: 'unavailable' } | { kind: 'live'; state: OrderState };

/** Measures one step of a request (the API reports the steps as Server-Timing). */
export type StepTimer = <T>(step: string, description: string, work: () => Promise<T>) => Promise<T>;

export interface OrderService {
  submit(
    merchant: Pick<AuthenticatedMerchant, 'id' | 'rates'>,
    request: SubmitOrderRequest,
    time?: StepTimer,
  ): Promise<SubmitOrderResult>;
  /**
   * The order with its story and its version (the poll's ETag), if it is
   * this merchant's; only the version when it is one of `knownVersions`
   * (the merchant's copy is current: one small read, no story).
   */
  findOwn(merchantId: string, orderId: string, knownVersions?: string[]): Promise<OwnOrder | undefined>;
  findByMerchantOrderNo(
    merchantId: string,
    merchantOrderNo: string,
  ): Promise<{ order: OrderRow; money: LedgerEntryRow[] } | undefined>;
  /** The workflow's own state of the merchant's order. */
  liveState(merchantId: string, orderId: string): Promise<LiveStateResult>;
}

/** How long an order of each speed has to reach a final result before it is escalated. */
export type SlaSeconds = Record<Speed, number>;

export interface OrderServiceDeps {
  orders: Pick<OrderRepository, 'createOrder' | 'findById' | 'findByMerchantOrderNo' | 'findStory' | 'versionOf'>;
  segments: Pick<SegmentTable, 'lookup'>;
  /** The suppliers' offers, for what the merchant can buy. */
  offers: SupplierSnapshot;
  sla: SlaSeconds;
  ledger: Pick<LedgerRepository, 'listForOrder'>;
  temporal: Client;
  dispatcher: Pick<OrderDispatcher, 'dispatchSoon'>;
  logger: Logger;
  /** Raised when an order's debit takes the merchant's available balance below its threshold; none: not raised. */
  merchantLowBalanceAlert?: MerchantLowBalanceAlert | undefined;
}

const untimed: StepTimer = (_step, _description, work) => work();

const sameSubmission = (order: OrderRow, request: SubmitOrderRequest) =>
  order.phone === request.phone &&
  order.amountYuan === request.amount &&
  order.speed === (request.speed ?? 'fast') &&
  order.notifyUrl === (request.notifyUrl ?? null);

type SubmitDeps = Pick<
  OrderServiceDeps,
  'orders' | 'dispatcher' | 'logger' | 'segments' | 'offers' | 'sla' | 'merchantLowBalanceAlert'
>;

/**
 * What the merchant asks for, if it can be sold: the number's segment
 * known, and the product (carrier, province, face value, speed) on sale to
 * this merchant. Otherwise the refusal, unless the merchantOrderNo names an
 * order already accepted (a repeat is answered as one, whatever changed since).
 */
async function product(
  { orders, segments, offers }: SubmitDeps,
  merchant: Pick<AuthenticatedMerchant, 'id' | 'rates'>,
  request: SubmitOrderRequest,
) {
  const speed = request.speed ?? 'fast';
  const segment = segments.lookup(request.phone);
  const carrier = soldCarrier(segment);
  const refusal: SubmitOrderResult | undefined = !segment
    ? { kind: 'unknown-segment' }
    : !carrier ||
        !isAvailable(await offers(), merchant.rates, { ...segment, carrier, speed, amountYuan: request.amount })
      ? { kind: 'product-unavailable', carrier: segment.carrier, province: segment.province, virtual: segment.virtual }
      : undefined;
  if (!refusal && segment && carrier) {
    const costFen = merchantPriceFen(merchant.rates, carrier, speed, request.amount) as number;
    return { kind: 'sellable' as const, segment, carrier, speed, costFen };
  }
  const existing = await orders.findByMerchantOrderNo(merchant.id, request.merchantOrderNo);
  return existing ? repeatOf(existing, request) : (refusal as SubmitOrderResult);
}

const repeatOf = (order: OrderRow, request: SubmitOrderRequest): SubmitOrderResult =>
  sameSubmission(order, request) ? { kind: 'repeated', order } : { kind: 'conflict' };

/** From the admission statement's own answer (no read); not awaited: the answer never waits on an alert. */
function alertIfBelowThreshold(deps: SubmitDeps, merchantId: string, balance: BalanceAfterDebit | undefined) {
  if (balance && deps.merchantLowBalanceAlert && crossedMerchantLowBalance(balance))
    void deps.merchantLowBalanceAlert(merchantId, balance);
}

/** Stores and debits a new order (idempotent by merchantOrderNo), then hands it to its workflow. */
async function submit(
  deps: SubmitDeps,
  merchant: Pick<AuthenticatedMerchant, 'id' | 'rates'>,
  request: SubmitOrderRequest,
  time: StepTimer,
): Promise<SubmitOrderResult> {
  const { orders, dispatcher, logger, sla } = deps;
  const sellable = await product(deps, merchant, request);
  if (sellable.kind !== 'sellable') return sellable;
  const { segment, carrier, speed, costFen: cost } = sellable;
  const { merchantOrderNo, phone, amount, notifyUrl } = request;
  const result = await time('db', 'order insert and debit', () =>
    orders.createOrder({
      merchantId: merchant.id,
      merchantOrderNo,
      phone,
      carrier,
      province: segment.province,
      city: segment.city,
      speed,
      amountYuan: amount,
      costFen: cost,
      slaSeconds: sla[speed],
      notifyUrl,
    }),
  );
  switch (result.outcome) {
    case 'insufficient-balance': {
      const { balanceFen, creditLimitFen } = result;
      return { kind: 'insufficient-balance', costFen: cost, balanceFen, creditLimitFen };
    }
    case 'number-blocked':
      return { kind: 'number-blocked' };
    case 'number-limit-exceeded':
      return { kind: 'number-limit-exceeded', usage: result.usage };
  }
  const { order } = result;
  const created = result.outcome === 'created';
  if (!created && !sameSubmission(order, request)) return { kind: 'conflict' };
  // Committed, so accepted: the answer never waits on Temporal. A repeat also dispatches an order not yet known to have started.
  if (created || order.workflowStartedAt === null) dispatcher.dispatchSoon(order);
  if (!created) return { kind: 'repeated', order };
  alertIfBelowThreshold(deps, merchant.id, result.balance);
  logger.info(
    {
      orderId: order.id,
      merchantId: merchant.id,
      merchantOrderNo,
      phone: maskPhone(phone),
      province: segment.province,
      speed,
      amountYuan: amount,
      costFen: cost,
    },
    'order accepted',
  );
  return { kind: 'accepted', order };
}

/**
 * A merchant's orders: submission (idempotent by merchantOrderNo, paid from
 * the balance, then handed to its workflow) and the merchant's own reads.
 * Another merchant's order is reported as not found.
 */
export function createOrderService(deps: OrderServiceDeps): OrderService {
  const { orders, ledger, temporal } = deps;
  async function ownOrder(merchantId: string, orderId: string) {
    const order = await orders.findById(orderId);
    return order?.merchantId === merchantId ? order : undefined;
  }

  return {
    submit: (merchant, request, time = untimed) => submit(deps, merchant, request, time),

    async findOwn(merchantId, orderId, knownVersions = []) {
      const current = await orders.versionOf(orderId);
      if (current?.merchantId !== merchantId) return undefined;
      const { version } = current;
      if (knownVersions.includes(version)) return { kind: 'not-modified', version };
      // Read after the version: a change in between gets the story a newer version than its tag, so the next poll reads again.
      const story = await orders.findStory(orderId);
      return story && { kind: 'found', story, version };
    },

    async findByMerchantOrderNo(merchantId, merchantOrderNo) {
      const order = await orders.findByMerchantOrderNo(merchantId, merchantOrderNo);
      return order ? { order, money: await ledger.listForOrder(order.id) } : undefined;
    },

    async liveState(merchantId, orderId) {
      if (!(await ownOrder(merchantId, orderId))) return { kind: 'not-found' };
      const state = await liveOrderState(temporal, orderId);
      return state ? { kind: 'live', state } : { kind: 'unavailable' };
    },
  };
}
