import type { Client } from '@temporalio/client';
import type { OrderRepository } from '../db/order-repository.ts';
import type { Logger } from '../util/logger.ts';

/** What the HTTP layer needs; the server builds real ones, tests may build their own. */
export interface ApiDeps {
  orders: OrderRepository;
  temporal: Client;
  logger: Logger;
  callbackSecret: string;
  adminToken: string;
  slaSeconds: number;
}
