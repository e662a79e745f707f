import { costFen } from '../merchants/pricing.ts';
import { utcDay } from '../shared/calendar-days.ts';
import type { BillLine } from '../shared/supplier-bill.ts';
import { maskPhone } from '../util/mask.ts';
import type { RecordedOrder } from './records.ts';

/** What a SUCCESS charged: as recorded when it was decided, or (books from before bills) face value × today's rate. */
export const chargeOf = (order: RecordedOrder, chargeRate: string) =>
  order.chargeFen ?? costFen(order.request.amountYuan, chargeRate);

/**
 * The bill of a UTC day: every request decided that day (SUCCESS or FAILED,
 * then perhaps REVERSED), once, on the day it was decided, with its status as
 * of now. SUCCESS charges what it was priced at; FAILED and REVERSED charge 0
 * (a reversal takes its charge back: the line's status changes, its day does
 * not). Requests still PROCESSING are on no bill yet. Oldest first.
 */
export function billOf(orders: Iterable<RecordedOrder>, day: string, chargeRate: string): BillLine[] {
  return [...orders]
    .filter((order) => order.state !== 'PROCESSING' && order.decidedAt !== undefined && utcDay(order.decidedAt) === day)
    .map((order) => ({
      requestId: order.request.requestId,
      phone: maskPhone(order.request.phone),
      faceValueYuan: order.request.amountYuan,
      amountFen: order.state === 'SUCCESS' ? chargeOf(order, chargeRate) : 0,
      status: order.state as BillLine['status'],
      time: new Date(order.decidedAt as string).toISOString(),
      day,
    }))
    .sort((a, b) => a.time.localeCompare(b.time) || a.requestId.localeCompare(b.requestId));
}
