-- Supplier bill reconciliation (上游对账): each run compares a supplier's bill of one UTC day with the attempts we recorded.
-- CreateTable
CREATE TABLE "supplier_bill_runs" (
    "id" TEXT NOT NULL,
    "supplier_id" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "trigger" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "billed_count" INTEGER NOT NULL,
    "billed_fen" BIGINT NOT NULL,
    "recorded_count" INTEGER NOT NULL,
    "recorded_fen" BIGINT NOT NULL,
    "difference_count" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "supplier_bill_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "supplier_bill_differences" (
    "id" BIGSERIAL NOT NULL,
    "run_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "request_id" TEXT NOT NULL,
    "ours" JSONB,
    "theirs" JSONB,

    CONSTRAINT "supplier_bill_differences_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "supplier_bill_runs_supplier_id_created_at_idx" ON "supplier_bill_runs"("supplier_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "supplier_bill_differences_run_id_request_id_key" ON "supplier_bill_differences"("run_id", "request_id");

-- AddForeignKey
ALTER TABLE "supplier_bill_runs" ADD CONSTRAINT "supplier_bill_runs_supplier_id_fkey" FOREIGN KEY ("supplier_id") REFERENCES "suppliers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "supplier_bill_differences" ADD CONSTRAINT "supplier_bill_differences_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "supplier_bill_runs"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- The supplier charges we booked on a day: ORDER_COST entries by supplier and time.
CREATE INDEX "supplier_ledger_entries_supplier_id_type_created_at_idx" ON "supplier_ledger_entries"("supplier_id", "type", "created_at");
