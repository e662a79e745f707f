-- The outbox marker of "insert the order, then start its workflow": NULL until
-- a start of the order's workflow is known to have succeeded. The API answers
-- from the insert; a dispatcher starts what is still NULL.

-- AlterTable
ALTER TABLE "orders" ADD COLUMN "workflow_started_at" TIMESTAMPTZ(3);

-- Orders past PENDING have a workflow; PENDING ones stay NULL and are (re)started, which is a no-op for those running.
UPDATE "orders" SET "workflow_started_at" = "created_at" WHERE "status" <> 'PENDING';

-- CreateIndex
CREATE INDEX "orders_workflow_started_at_created_at_idx" ON "orders"("workflow_started_at", "created_at");
