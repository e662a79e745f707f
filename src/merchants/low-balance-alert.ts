import type { BalanceAfterDebit } from '../db/order-admission.ts';
import { postAlert } from '../util/alert-webhook.ts';
import type { Logger } from '../util/logger.ts';

/**
 * The order's debit took the merchant's available balance (balance + credit
 * limit) below its threshold: only the first order under it raises the alert
 * (a threshold of 0 never does: the available balance is never below 0).
 */
export function crossedMerchantLowBalance({
  costFen,
  balanceAfterFen,
  creditLimitFen,
  lowBalanceFen,
}: BalanceAfterDebit) {
  const available = balanceAfterFen + creditLimitFen;
  return available < lowBalanceFen && available + costFen >= lowBalanceFen;
}

export interface MerchantLowBalanceAlertDeps {
  logger: Logger;
  /** Optional webhook (chat, paging) that receives the alert as JSON, as supplier low-balance alerts. */
  alertWebhookUrl?: string | undefined;
}

/**
 * Tells on-call (and, through them, the merchant's account manager) that a
 * merchant needs to top up: a warn log line always, and a POST to the alert
 * webhook when one is configured. Never throws, and the order's answer does
 * not wait for it (the caller does not await it).
 */
export function createMerchantLowBalanceAlert({ logger, alertWebhookUrl }: MerchantLowBalanceAlertDeps) {
  return async (merchantId: string, balance: BalanceAfterDebit): Promise<void> => {
    const alert = {
      merchantId,
      balanceFen: Number(balance.balanceAfterFen),
      creditLimitFen: Number(balance.creditLimitFen),
      availableFen: Number(balance.balanceAfterFen + balance.creditLimitFen),
      lowBalanceFen: Number(balance.lowBalanceFen),
    };
    logger.warn(alert, 'merchant available balance is below its threshold: the merchant should top up');
    if (!alertWebhookUrl) return;
    try {
      await postAlert(alertWebhookUrl, 'merchant-low-balance', alert);
    } catch (error) {
      logger.error({ ...alert, error: (error as Error).message }, 'merchant low-balance alert webhook failed');
    }
  };
}

export type MerchantLowBalanceAlert = ReturnType<typeof createMerchantLowBalanceAlert>;
