import type { Client } from '@temporalio/client';
import type { LedgerEntryRow, LedgerRepository } from '../db/ledger-repository.ts';
import type { AuthenticatedMerchant } from '../db/merchant-repository.ts';
import type { OrderRepository, OrderRow, OrderStory } from '../db/order-repository.ts';
import { costFen } from '../merchants/pricing.ts';
import { carrierOf } from '../shared/carriers.ts';
import type { OrderState } from '../shared/order-workflow.ts';
import type { Logger } from '../util/logger.ts';
import { maskPhone } from '../util/mask.ts';
import { liveOrderState } from './live-order-state.ts';
import type { OrderDispatcher } from './order-dispatcher.ts';

export interface SubmitOrderRequest {
  merchantOrderNo: string;
  phone: string;
  amount: number;
  notifyUrl?: string | undefined;
}

export type SubmitOrderResult =
  /** Stored and debited now; its workflow is started by the dispatcher, right away or once Temporal can take it. */
  | { kind: 'accepted'; order: OrderRow }
  /** The same submission again: the order as it is, nothing new stored or debited. */
  | { kind: 'repeated'; order: OrderRow }
  /** The merchantOrderNo was already used with a different phone, amount or notifyUrl. */
  | { kind: 'conflict' }
  /** The phone's number segment belongs to no supported carrier. */
  | { kind: 'unknown-carrier' }
  /** Nothing stored: the balance does not cover the cost. */
  | { kind: 'insufficient-balance'; costFen: number; balanceFen: bigint };

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

export interface OrderServiceDeps {
  orders: Pick<OrderRepository, 'createOrder' | 'findById' | 'findByMerchantOrderNo' | 'findStory' | 'versionOf'>;
  ledger: Pick<LedgerRepository, 'listForOrder'>;
  temporal: Client;
  dispatcher: Pick<OrderDispatcher, 'dispatchSoon'>;
  logger: Logger;
}

const untimed: StepTimer = (_step, _description, work) => work();

const sameSubmission = (order: OrderRow, request: SubmitOrderRequest) =>
  order.phone === request.phone &&
  order.amountYuan === request.amount &&
  order.notifyUrl === (request.notifyUrl ?? null);

/** Stores and debits a new order (idempotent by merchantOrderNo), then hands it to its workflow. */
async function submit(
  { orders, dispatcher, logger }: Pick<OrderServiceDeps, 'orders' | 'dispatcher' | 'logger'>,
  merchant: Pick<AuthenticatedMerchant, 'id' | 'rates'>,
  request: SubmitOrderRequest,
  time: StepTimer,
): Promise<SubmitOrderResult> {
  const carrier = carrierOf(request.phone);
  if (!carrier) return { kind: 'unknown-carrier' };
  const cost = costFen(request.amount, merchant.rates[carrier]);
  const { merchantOrderNo, phone, amount, notifyUrl } = request;
  const result = await time('db', 'order insert and debit', () =>
    orders.createOrder({
      merchantId: merchant.id,
      merchantOrderNo,
      phone,
      carrier,
      amountYuan: amount,
      costFen: cost,
      notifyUrl,
    }),
  );
  if (result.outcome === 'insufficient-balance')
    return { kind: 'insufficient-balance', costFen: cost, balanceFen: result.balanceFen };
  const { order } = result;
  const created = result.outcome === 'created';
  if (!created && !sameSubmission(order, request)) return { kind: 'conflict' };
  // Committed, so accepted: the answer never waits on Temporal. A repeat also dispatches an order not yet known to have started.
  if (created || order.workflowStartedAt === null) dispatcher.dispatchSoon(order);
  if (!created) return { kind: 'repeated', order };
  logger.info(
    {
      orderId: order.id,
      merchantId: merchant.id,
      merchantOrderNo,
      phone: maskPhone(phone),
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
export function createOrderService({ orders, ledger, temporal, dispatcher, logger }: OrderServiceDeps): OrderService {
  async function ownOrder(merchantId: string, orderId: string) {
    const order = await orders.findById(orderId);
    return order?.merchantId === merchantId ? order : undefined;
  }

  return {
    submit: (merchant, request, time = untimed) => submit({ orders, dispatcher, logger }, merchant, request, time),

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
