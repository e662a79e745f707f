-- Merchants with a prepaid balance, an append-only double-entry ledger, and reconciliation runs.

-- CreateEnum
CREATE TYPE "LedgerEntryType" AS ENUM ('ORDER_DEBIT', 'ORDER_REFUND', 'TOP_UP', 'ADJUSTMENT');

-- CreateEnum
CREATE TYPE "ReconciliationStatus" AS ENUM ('RUNNING', 'COMPLETED');

-- CreateTable
CREATE TABLE "merchants" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "api_key_hash" TEXT NOT NULL,
    "callback_secret" TEXT NOT NULL,
    "balance_fen" BIGINT NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "merchants_pkey" PRIMARY KEY ("id"),
    -- The last line of defence: no statement, however wrong, can leave a balance below zero.
    CONSTRAINT "merchants_balance_fen_non_negative" CHECK ("balance_fen" >= 0)
);

-- CreateTable
CREATE TABLE "merchant_rates" (
    "merchant_id" TEXT NOT NULL,
    "carrier" TEXT NOT NULL,
    "rate" DECIMAL(7,6) NOT NULL,

    CONSTRAINT "merchant_rates_pkey" PRIMARY KEY ("merchant_id", "carrier"),
    CONSTRAINT "merchant_rates_rate_positive" CHECK ("rate" > 0)
);

-- CreateTable
CREATE TABLE "ledger_entries" (
    "id" BIGSERIAL NOT NULL,
    "merchant_id" TEXT NOT NULL,
    "type" "LedgerEntryType" NOT NULL,
    "debit_account" TEXT NOT NULL,
    "credit_account" TEXT NOT NULL,
    "amount_fen" BIGINT NOT NULL,
    "balance_after_fen" BIGINT NOT NULL,
    "order_id" TEXT,
    "request_id" TEXT,
    "operator" TEXT,
    "note" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_entries_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ledger_entries_amount_positive" CHECK ("amount_fen" > 0),
    CONSTRAINT "ledger_entries_two_accounts" CHECK ("debit_account" <> "credit_account")
);

-- CreateTable
CREATE TABLE "reconciliation_runs" (
    "id" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "status" "ReconciliationStatus" NOT NULL DEFAULT 'RUNNING',
    "checked_orders" INTEGER NOT NULL DEFAULT 0,
    "checked_merchants" INTEGER NOT NULL DEFAULT 0,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "reconciliation_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reconciliation_mismatches" (
    "id" BIGSERIAL NOT NULL,
    "run_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "merchant_id" TEXT,
    "order_id" TEXT,
    "detail" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reconciliation_mismatches_pkey" PRIMARY KEY ("id")
);

-- Orders placed before merchant accounts existed belong to this merchant, which has no usable key
-- and a random callback secret nobody knows: their notifications can be neither verified nor forged.
INSERT INTO "merchants" ("id", "name", "api_key_hash", "callback_secret")
SELECT 'legacy', 'Orders placed before merchant accounts', 'none: no key can match', replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')
WHERE EXISTS (SELECT 1 FROM "orders");

-- AlterTable: cost_fen stays NULL for those earlier orders: they were never billed.
ALTER TABLE "orders" ADD COLUMN "merchant_id" TEXT,
ADD COLUMN "cost_fen" BIGINT;
UPDATE "orders" SET "merchant_id" = 'legacy';
ALTER TABLE "orders" ALTER COLUMN "merchant_id" SET NOT NULL;

-- DropIndex: merchant order numbers are unique per merchant, not globally
DROP INDEX "orders_merchant_order_no_key";

-- CreateIndex
CREATE UNIQUE INDEX "orders_merchant_id_merchant_order_no_key" ON "orders"("merchant_id", "merchant_order_no");

-- CreateIndex
CREATE UNIQUE INDEX "merchants_api_key_hash_key" ON "merchants"("api_key_hash");

-- CreateIndex: one debit and at most one refund per order, whatever retries or crashes happen
CREATE UNIQUE INDEX "ledger_entries_order_id_type_key" ON "ledger_entries"("order_id", "type");

-- CreateIndex: an admin's top-up or adjustment is applied once per request id
CREATE UNIQUE INDEX "ledger_entries_merchant_id_request_id_key" ON "ledger_entries"("merchant_id", "request_id");

-- CreateIndex
CREATE INDEX "ledger_entries_merchant_id_id_idx" ON "ledger_entries"("merchant_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "reconciliation_mismatches_run_id_kind_subject_key" ON "reconciliation_mismatches"("run_id", "kind", "subject");

-- AddForeignKey
ALTER TABLE "orders" ADD CONSTRAINT "orders_merchant_id_fkey" FOREIGN KEY ("merchant_id") REFERENCES "merchants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "merchant_rates" ADD CONSTRAINT "merchant_rates_merchant_id_fkey" FOREIGN KEY ("merchant_id") REFERENCES "merchants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_merchant_id_fkey" FOREIGN KEY ("merchant_id") REFERENCES "merchants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reconciliation_mismatches" ADD CONSTRAINT "reconciliation_mismatches_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "reconciliation_runs"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- The ledger is append-only: a correction is a new entry, never an edit.
CREATE FUNCTION "ledger_entries_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger_entries is append-only: % refused', TG_OP;
END;
$$;
CREATE TRIGGER "ledger_entries_append_only" BEFORE UPDATE OR DELETE ON "ledger_entries"
  FOR EACH ROW EXECUTE FUNCTION "ledger_entries_refuse_change"();
CREATE TRIGGER "ledger_entries_no_truncate" BEFORE TRUNCATE ON "ledger_entries"
  FOR EACH STATEMENT EXECUTE FUNCTION "ledger_entries_refuse_change"();
