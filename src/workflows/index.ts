// Bundle entry of the worker: every workflow the task queue serves.
export { merchantNotification } from './merchant-notification.ts';
export { orderReversal } from './order-reversal.ts';
export { rechargeOrder } from './recharge-order.ts';
export { reconciliation } from './reconciliation.ts';
export { supplierBillReconciliation } from './supplier-bills.ts';
export { statementIssuing } from './statement-issuing.ts';
