-- Upstream suppliers: routing data, the shared circuit breaker, per-minute
-- call figures, and each supplier's prepaid ledger. Orders record the
-- supplier that took them and, once SUCCEEDED, what it charged.

-- CreateEnum
CREATE TYPE "BreakerState" AS ENUM ('CLOSED', 'OPEN', 'HALF_OPEN');

-- CreateEnum
CREATE TYPE "SupplierLedgerEntryType" AS ENUM ('ORDER_COST', 'TOP_UP');

-- AlterTable
ALTER TABLE "orders" ADD COLUMN "supplier_id" TEXT, ADD COLUMN "supplier_cost_fen" BIGINT;

-- CreateTable
CREATE TABLE "suppliers" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "base_url" TEXT NOT NULL,
    "callback_secret" TEXT NOT NULL,
    "carriers" TEXT[],
    "face_values_yuan" INTEGER[],
    "priority" INTEGER NOT NULL,
    "weight" INTEGER NOT NULL,
    "rate_limit_per_second" INTEGER NOT NULL,
    "concurrency_limit" INTEGER NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "balance_fen" BIGINT NOT NULL DEFAULT 0,
    "low_balance_fen" BIGINT NOT NULL DEFAULT 0,
    "breaker_state" "BreakerState" NOT NULL DEFAULT 'CLOSED',
    "consecutive_faults" INTEGER NOT NULL DEFAULT 0,
    "breaker_changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "next_call_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "suppliers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "supplier_rates" (
    "supplier_id" TEXT NOT NULL,
    "carrier" TEXT NOT NULL,
    "rate" DECIMAL(7,6) NOT NULL,

    CONSTRAINT "supplier_rates_pkey" PRIMARY KEY ("supplier_id","carrier")
);

-- CreateTable
CREATE TABLE "supplier_ledger_entries" (
    "id" BIGSERIAL NOT NULL,
    "supplier_id" TEXT NOT NULL,
    "type" "SupplierLedgerEntryType" NOT NULL,
    "debit_account" TEXT NOT NULL,
    "credit_account" TEXT NOT NULL,
    "amount_fen" BIGINT NOT NULL,
    "balance_after_fen" BIGINT NOT NULL,
    "order_id" TEXT,
    "request_id" TEXT,
    "operator" TEXT,
    "note" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "supplier_ledger_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "supplier_call_minutes" (
    "supplier_id" TEXT NOT NULL,
    "minute" TIMESTAMPTZ(0) NOT NULL,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "faults" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "supplier_call_minutes_pkey" PRIMARY KEY ("supplier_id","minute")
);

-- CreateIndex
CREATE UNIQUE INDEX "supplier_ledger_entries_order_id_type_key" ON "supplier_ledger_entries"("order_id", "type");

-- CreateIndex
CREATE UNIQUE INDEX "supplier_ledger_entries_supplier_id_request_id_key" ON "supplier_ledger_entries"("supplier_id", "request_id");

-- CreateIndex
CREATE INDEX "supplier_ledger_entries_supplier_id_id_idx" ON "supplier_ledger_entries"("supplier_id", "id");

-- AddForeignKey
ALTER TABLE "supplier_rates" ADD CONSTRAINT "supplier_rates_supplier_id_fkey" FOREIGN KEY ("supplier_id") REFERENCES "suppliers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "supplier_ledger_entries" ADD CONSTRAINT "supplier_ledger_entries_supplier_id_fkey" FOREIGN KEY ("supplier_id") REFERENCES "suppliers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "supplier_call_minutes" ADD CONSTRAINT "supplier_call_minutes_supplier_id_fkey" FOREIGN KEY ("supplier_id") REFERENCES "suppliers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- The supplier ledger is append-only, like the merchants'.
CREATE TRIGGER "supplier_ledger_entries_append_only" BEFORE UPDATE OR DELETE ON "supplier_ledger_entries"
  FOR EACH ROW EXECUTE FUNCTION "ledger_entries_refuse_change"();
CREATE TRIGGER "supplier_ledger_entries_no_truncate" BEFORE TRUNCATE ON "supplier_ledger_entries"
  FOR EACH STATEMENT EXECUTE FUNCTION "ledger_entries_refuse_change"();
