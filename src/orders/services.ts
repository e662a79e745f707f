import type { Client } from '@temporalio/client';
import type { LedgerRepository } from '../db/ledger-repository.ts';
import type { OrderRepository } from '../db/order-repository.ts';
import type { ReconciliationRepository } from '../db/reconciliation-repository.ts';
import { createProductService, type ProductService } from '../products/product-service.ts';
import type { FirstRouter } from '../suppliers/first-route.ts';
import type { MerchantLowBalanceAlert } from '../merchants/low-balance-alert.ts';
import type { Logger } from '../util/logger.ts';
import { createCallbackService, type CallbackService } from './callback-service.ts';
import { createOrderDispatcher, type OrderDispatcher } from './order-dispatcher.ts';
import { createOperatorService, type OperatorService } from './operator-service.ts';
import { createOrderService, type OrderService, type OrderServiceDeps } from './order-service.ts';
import { createReconciliationService, type ReconciliationService } from './reconciliation-service.ts';
import { createReversalService, type ReversalService } from './reversal-service.ts';

export interface ServiceDeps {
  orders: OrderRepository;
  ledger: LedgerRepository;
  reconciliations: ReconciliationRepository;
  temporal: Client;
  logger: Logger;
  /** The SLA of fast orders; reconciliation checks open orders older than it (and slow ones past their own deadline). */
  slaSeconds: number;
  /** The SLA of slow orders (SLOW_SLA_SECONDS, a day by default). */
  slowSlaSeconds: number;
  /** The number-segment table: a number's carrier, province and city. */
  segments: OrderServiceDeps['segments'];
  /** The suppliers as read at most a second ago: what merchants can buy, and new orders' first route. */
  offers: OrderServiceDeps['offers'];
  /** Chooses new orders' first supplier as their workflows start; without it, each workflow routes its own. */
  firstRoute?: FirstRouter;
  /** Raised when an order takes a merchant's available balance below its threshold (see merchants/low-balance-alert.ts). */
  merchantLowBalanceAlert?: MerchantLowBalanceAlert;
}

/** The application layer the API calls: every rule about orders, and every Temporal client call. */
export interface Services {
  orderService: OrderService;
  productService: ProductService;
  operatorService: OperatorService;
  callbackService: CallbackService;
  reconciliationService: ReconciliationService;
  reversalService: ReversalService;
  /** Starts the workflows of accepted orders; the API process also runs its drain (scheduleDispatchDrains). */
  orderDispatcher: OrderDispatcher;
}

export function createServices(deps: ServiceDeps): Services {
  const orderDispatcher = createOrderDispatcher(deps);
  const reversalService = createReversalService(deps);
  return {
    orderDispatcher,
    orderService: createOrderService({
      ...deps,
      sla: { fast: deps.slaSeconds, slow: deps.slowSlaSeconds },
      dispatcher: orderDispatcher,
    }),
    productService: createProductService(deps),
    operatorService: createOperatorService(deps),
    callbackService: createCallbackService({ ...deps, reversals: reversalService }),
    reversalService,
    reconciliationService: createReconciliationService(deps),
  };
}
