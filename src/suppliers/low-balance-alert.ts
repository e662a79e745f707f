import { log, metricMeter } from '@temporalio/activity';
import type { BookedCost } from '../db/supplier-ledger-repository.ts';
import { postAlert } from '../util/alert-webhook.ts';

/** The booking took the supplier's prepaid balance below its threshold: the first order under it raises the alert. */
export function crossedLowBalance({ amountFen, balanceAfterFen, lowBalanceFen }: BookedCost): boolean {
  return balanceAfterFen < lowBalanceFen && balanceAfterFen + amountFen >= lowBalanceFen;
}

/**
 * Tells on-call, from the activity that booked the cost, that a supplier
 * needs a top-up: a warn log line and a metric always, and a POST to the
 * alert webhook when one is configured (a failing webhook is logged, never
 * thrown: the order's view write must not fail on a chat channel).
 */
export function createLowBalanceAlert({ alertWebhookUrl }: { alertWebhookUrl?: string | undefined }) {
  return async (booked: BookedCost): Promise<void> => {
    const alert = {
      supplierId: booked.supplierId,
      balanceFen: Number(booked.balanceAfterFen),
      lowBalanceFen: Number(booked.lowBalanceFen),
    };
    log.warn('Supplier prepaid balance is below its threshold: top it up', alert);
    metricMeter
      .createCounter('supplier_low_balance_alerts', 'alerts', 'Supplier balances that fell below their threshold')
      .add(1, { supplier: booked.supplierId });
    if (!alertWebhookUrl) return;
    try {
      await postAlert(alertWebhookUrl, 'supplier-low-balance', alert);
    } catch (error) {
      log.error('Low-balance alert webhook failed', { ...alert, error: (error as Error).message });
    }
  };
}

export type LowBalanceAlert = ReturnType<typeof createLowBalanceAlert>;
