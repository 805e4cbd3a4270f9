-- Every change of a stock row bumps its version (in the same UPDATE, so row locks order them):
-- products keeps in_stock as a copy and applies a value only when it is newer (ADR 0016).
ALTER TABLE "stock_levels" ADD COLUMN "version" BIGINT NOT NULL DEFAULT 0;

-- The change feed products reconciles from: rows changed since a watermark.
CREATE INDEX "stock_levels_updated_at_idx" ON "stock_levels"("updated_at");

-- CreateTable: stock.changed events, written in the transaction that changes the stock.
CREATE TABLE "outbox_events" (
    "id" BIGSERIAL NOT NULL,
    "topic" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMP(3),

    CONSTRAINT "outbox_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "outbox_events_published_at_id_idx" ON "outbox_events"("published_at", "id");
