import type { Client } from '@temporalio/client';
import type { LedgerRepository } from '../db/ledger-repository.ts';
import type { OrderRepository } from '../db/order-repository.ts';
import type { ReconciliationRepository } from '../db/reconciliation-repository.ts';
import type { FirstRouter } from '../suppliers/first-route.ts';
import type { Logger } from '../util/logger.ts';
import { createCallbackService, type CallbackService } from './callback-service.ts';
import { createOrderDispatcher, type OrderDispatcher } from './order-dispatcher.ts';
import { createOperatorService, type OperatorService } from './operator-service.ts';
import { createOrderService, type OrderService } from './order-service.ts';
import { createReconciliationService, type ReconciliationService } from './reconciliation-service.ts';

export interface ServiceDeps {
  orders: OrderRepository;
  ledger: LedgerRepository;
  reconciliations: ReconciliationRepository;
  temporal: Client;
  logger: Logger;
  /** The SLA of new orders; reconciliation checks open orders older than it. */
  slaSeconds: number;
  /** Chooses new orders' first supplier as their workflows start; without it, each workflow routes its own. */
  firstRoute?: FirstRouter;
}

/** The application layer the API calls: every rule about orders, and every Temporal client call. */
export interface Services {
  orderService: OrderService;
  operatorService: OperatorService;
  callbackService: CallbackService;
  reconciliationService: ReconciliationService;
  /** Starts the workflows of accepted orders; the API process also runs its drain (scheduleDispatchDrains). */
  orderDispatcher: OrderDispatcher;
}

export function createServices(deps: ServiceDeps): Services {
  const orderDispatcher = createOrderDispatcher(deps);
  return {
    orderDispatcher,
    orderService: createOrderService({ ...deps, dispatcher: orderDispatcher }),
    operatorService: createOperatorService(deps),
    callbackService: createCallbackService(deps),
    reconciliationService: createReconciliationService(deps),
  };
}
