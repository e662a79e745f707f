-- Reversals (冲正): a supplier takes back a top-up it reported as successful.
-- The order's new final status; the merchant's refund of it and the supplier's credit-back, one each per order
-- (the ledgers' unique (order_id, type) keys).
ALTER TYPE "OrderStatus" ADD VALUE 'REVERSED';
ALTER TYPE "LedgerEntryType" ADD VALUE 'ORDER_REVERSAL';
ALTER TYPE "SupplierLedgerEntryType" ADD VALUE 'ORDER_REVERSAL';
