-- Credit lines (授信): a merchant may go below zero, down to its credit limit (default 0: no credit).
-- AlterTable
ALTER TABLE "merchants" ADD COLUMN "credit_limit_fen" BIGINT NOT NULL DEFAULT 0;
ALTER TABLE "merchants" ADD CONSTRAINT "merchants_credit_limit_fen_non_negative" CHECK ("credit_limit_fen" >= 0);

-- The balance may be negative, never below the credit limit.
ALTER TABLE "merchants" DROP CONSTRAINT "merchants_balance_fen_non_negative";
ALTER TABLE "merchants" ADD CONSTRAINT "merchants_balance_fen_within_credit" CHECK ("balance_fen" >= -"credit_limit_fen");
