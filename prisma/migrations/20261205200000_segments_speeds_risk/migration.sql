-- What a top-up platform sells: where a number is (its segment's province and city), how fast it is
-- recharged (fast or slow, each with its own SLA and price), and the risk limits every order passes.

-- Orders: the number's province and city (NULL on orders from before segments), its speed and SLA deadline.
-- AlterTable
ALTER TABLE "orders" ADD COLUMN "province" TEXT,
ADD COLUMN "city" TEXT,
ADD COLUMN "speed" TEXT NOT NULL DEFAULT 'fast',
ADD COLUMN "sla_deadline" TIMESTAMPTZ(3);
ALTER TABLE "orders" ADD CONSTRAINT "orders_speed_check" CHECK ("speed" IN ('fast', 'slow'));

-- CreateIndex: the per-number limits count a number's orders of the last 24 hours
CREATE INDEX "orders_phone_created_at_idx" ON "orders"("phone", "created_at");

-- Suppliers: the provinces they serve (empty: all, a national channel) and their speeds.
-- AlterTable
ALTER TABLE "suppliers" ADD COLUMN "provinces" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
ADD COLUMN "speeds" TEXT[] NOT NULL DEFAULT ARRAY['fast']::TEXT[];

-- Merchants: the price of a slow order per carrier (NULL: the merchant does not buy slow orders of that carrier).
-- AlterTable
ALTER TABLE "merchant_rates" ADD COLUMN "slow_rate" DECIMAL(7,6);

-- Numbers that must never be topped up (fraud, complaints).
-- CreateTable
CREATE TABLE "blocked_numbers" (
    "phone" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "blocked_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "blocked_numbers_pkey" PRIMARY KEY ("phone")
);

-- The per-number limits over a rolling 24 hours, across all merchants: one row.
-- CreateTable
CREATE TABLE "risk_limits" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "per_number_daily_orders" INTEGER NOT NULL DEFAULT 10,
    "per_number_daily_amount_yuan" INTEGER NOT NULL DEFAULT 1000,
    "updated_by" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "risk_limits_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "risk_limits_one_row" CHECK ("id" = 1)
);
INSERT INTO "risk_limits" ("id") VALUES (1);

-- One row per number that has had an order: its version goes up with each accepted order, so two
-- submissions for one number cannot both pass its limits (see src/db/order-admission.ts). A row must
-- never be deleted while orders come in: one inserted again restarts at a version a statement's
-- snapshot may already hold.
-- CreateTable
CREATE TABLE "number_order_guards" (
    "phone" TEXT NOT NULL,
    "version" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "number_order_guards_pkey" PRIMARY KEY ("phone")
);
