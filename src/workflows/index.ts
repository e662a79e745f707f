// Bundle entry of the worker: every workflow the task queue serves.
export { merchantNotification } from './merchant-notification.ts';
export { rechargeOrder } from './recharge-order.ts';
export { reconciliation } from './reconciliation.ts';
export { statementIssuing } from './statement-issuing.ts';
