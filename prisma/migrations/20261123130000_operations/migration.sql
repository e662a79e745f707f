-- AlterTable
ALTER TABLE "orders" ADD COLUMN     "resolved_by" TEXT,
ADD COLUMN     "needs_review" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "review_reason" TEXT,
ADD COLUMN     "notify_status" TEXT,
ADD COLUMN     "notify_attempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "notify_last_error" TEXT,
ADD COLUMN     "notified_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "orders_needs_review_idx" ON "orders"("needs_review");
