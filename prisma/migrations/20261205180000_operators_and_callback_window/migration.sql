-- Operators as people: each has a name, a role and a token of their own (only its SHA-256 is stored);
-- the admin API records the authenticated name in every audit record.
-- CreateEnum
CREATE TYPE "OperatorRole" AS ENUM ('viewer', 'operator', 'admin');

-- CreateTable
CREATE TABLE "operators" (
    "name" TEXT NOT NULL,
    "role" "OperatorRole" NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    -- NULL while the operator may act.
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "operators_pkey" PRIMARY KEY ("name")
);

-- CreateIndex: a request's token is found by its hash
CREATE UNIQUE INDEX "operators_token_hash_key" ON "operators"("token_hash");

-- Who changed a supplier's settings, when, and what they set (supplier top-ups are in its ledger).
-- CreateTable
CREATE TABLE "supplier_changes" (
    "id" BIGSERIAL NOT NULL,
    "supplier_id" TEXT NOT NULL,
    "operator" TEXT NOT NULL,
    "change" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "supplier_changes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "supplier_changes_supplier_id_created_at_idx" ON "supplier_changes"("supplier_id", "created_at");

-- How far a supplier callback's signed timestamp may be from our clock before the callback is refused as a replay.
-- AlterTable
ALTER TABLE "suppliers" ADD COLUMN "callback_max_skew_seconds" INTEGER NOT NULL DEFAULT 300;

-- Supplier callbacks refused after their signature verified (a stale or future timestamp), kept for review:
-- each body once, however often it is replayed (its SHA-256 keeps the unique key small).
-- CreateTable
CREATE TABLE "refused_callbacks" (
    "id" BIGSERIAL NOT NULL,
    "supplier_id" TEXT,
    "request_id" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "raw_body" TEXT NOT NULL,
    "body_sha256" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "refused_callbacks_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "refused_callbacks_request_id_body_sha256_key" ON "refused_callbacks"("request_id", "body_sha256");
