-- CreateIndex
-- The oldest PENDING order, read by every /metrics scrape (orders_pending_oldest_age_seconds):
-- without it that is a scan of every order ever placed.
CREATE INDEX "orders_status_created_at_idx" ON "orders"("status", "created_at");
