// Bundle entry of the worker: every workflow the task queue serves.
export { rechargeOrder } from './recharge-order.ts';
