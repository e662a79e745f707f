import type { LedgerEntryRow, LedgerRepository } from '../db/ledger-repository.ts';
import type { OrderRepository, OrderRow } from '../db/order-repository.ts';

export type OrderEventRow = Awaited<ReturnType<OrderRepository['listEvents']>>[number];

/** An order with its whole story: its history events and its money entries. */
export interface OrderStory {
  order: OrderRow;
  history: OrderEventRow[];
  money: LedgerEntryRow[];
}

/** Reads an order's history and money entries beside the order. */
export async function readOrderStory(
  { orders, ledger }: { orders: Pick<OrderRepository, 'listEvents'>; ledger: Pick<LedgerRepository, 'listForOrder'> },
  order: OrderRow,
): Promise<OrderStory> {
  const [history, money] = await Promise.all([orders.listEvents(order.id), ledger.listForOrder(order.id)]);
  return { order, history, money };
}
