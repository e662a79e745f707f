/**
 * Accounts of the double-entry ledger. A merchant's prepaid balance is what
 * the platform owes it; every entry moves an amount from one account to
 * another, so the books always balance.
 */
export const merchantAccount = (merchantId: string) => `merchant:${merchantId}`;
/** Recharges sold: order debits go here, refunds come back out. */
export const SALES_ACCOUNT = 'platform:sales';
/** Money merchants paid in: the other side of every top-up. */
export const CASH_ACCOUNT = 'platform:cash';
/** Corrections an operator makes by hand. */
export const ADJUSTMENTS_ACCOUNT = 'platform:adjustments';
/** A supplier's prepaid balance: what it owes the platform in top-ups. */
export const supplierAccount = (supplierId: string) => `supplier:${supplierId}`;
/** What suppliers charged for the recharges sold. */
export const COST_OF_SALES_ACCOUNT = 'platform:cost-of-sales';
