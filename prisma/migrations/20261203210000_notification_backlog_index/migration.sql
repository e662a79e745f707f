-- CreateIndex: the metrics count the orders whose merchant notification is still being sent at every scrape.
CREATE INDEX "orders_notify_status_idx" ON "orders"("notify_status");
