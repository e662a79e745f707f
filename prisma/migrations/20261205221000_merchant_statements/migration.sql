-- Daily statements (对账单): each merchant's day ends at midnight in its own time zone (default Beijing time),
-- and the statement of a closed day is issued once and kept, never changed (a correction is an entry of a later day).
-- AlterTable
ALTER TABLE "merchants" ADD COLUMN "time_zone" TEXT NOT NULL DEFAULT 'Asia/Shanghai';
-- The merchants' low-balance alert: an order taking the available balance (balance + credit) below it raises it; 0: off.
ALTER TABLE "merchants" ADD COLUMN "low_balance_fen" BIGINT NOT NULL DEFAULT 0;
ALTER TABLE "merchants" ADD CONSTRAINT "merchants_low_balance_fen_non_negative" CHECK ("low_balance_fen" >= 0);

-- CreateTable
CREATE TABLE "merchant_statements" (
    "merchant_id" TEXT NOT NULL,
    "date" DATE NOT NULL,
    "time_zone" TEXT NOT NULL,
    "opening_balance_fen" BIGINT NOT NULL,
    "closing_balance_fen" BIGINT NOT NULL,
    "last_entry_id" BIGINT,
    "lines" JSONB NOT NULL,
    "issued_by" TEXT NOT NULL,
    "issued_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "merchant_statements_pkey" PRIMARY KEY ("merchant_id","date")
);

-- AddForeignKey
ALTER TABLE "merchant_statements" ADD CONSTRAINT "merchant_statements_merchant_id_fkey" FOREIGN KEY ("merchant_id") REFERENCES "merchants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- An issued statement is kept as it was issued: inserted once, never updated or deleted.
CREATE FUNCTION "merchant_statements_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'merchant_statements is append-only (an issued statement never changes): % refused', TG_OP;
END;
$$;
CREATE TRIGGER "merchant_statements_append_only" BEFORE UPDATE OR DELETE ON "merchant_statements"
  FOR EACH ROW EXECUTE FUNCTION "merchant_statements_refuse_change"();
CREATE TRIGGER "merchant_statements_no_truncate" BEFORE TRUNCATE ON "merchant_statements"
  FOR EACH STATEMENT EXECUTE FUNCTION "merchant_statements_refuse_change"();
