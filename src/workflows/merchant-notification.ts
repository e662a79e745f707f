import { isCancellation } from '@temporalio/workflow';
import { merchant } from './activity-stubs.ts';

/** Tells the merchant the order's final result; after the retry window, records that it gave up. */
export async function deliverNotification(orderId: string): Promise<'DELIVERED' | 'GAVE_UP'> {
  try {
    await merchant.notifyMerchant({ orderId });
    return 'DELIVERED';
  } catch (error) {
    if (isCancellation(error)) throw error;
    await merchant.recordNotificationGaveUp({
      orderId,
      reason: `no 2xx from the merchant within the retry window: ${String((error as Error).cause ?? error)}`,
    });
    return 'GAVE_UP';
  }
}

/** An admin's re-send of an order's result notification, run as a workflow of its own. */
export async function merchantNotification(orderId: string): Promise<'DELIVERED' | 'GAVE_UP'> {
  return deliverNotification(orderId);
}
