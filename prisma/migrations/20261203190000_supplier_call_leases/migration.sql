-- CreateTable
CREATE TABLE "supplier_call_leases" (
    "supplier_id" TEXT NOT NULL,
    "slot" INTEGER NOT NULL,
    "held_until" TIMESTAMPTZ(3),
    "holder" TEXT,

    CONSTRAINT "supplier_call_leases_pkey" PRIMARY KEY ("supplier_id","slot")
);

-- AddForeignKey
ALTER TABLE "supplier_call_leases" ADD CONSTRAINT "supplier_call_leases_supplier_id_fkey" FOREIGN KEY ("supplier_id") REFERENCES "suppliers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- The slots of the suppliers that exist already.
INSERT INTO "supplier_call_leases" ("supplier_id", "slot")
SELECT "id", generate_series(0, "concurrency_limit" - 1) FROM "suppliers";
