-- Keeping the catalog's copies current (ADR 0016): in_stock takes a value from inventory only
-- when its stock row's version is newer than the one the copy has (review_count is the ratings'
-- version: reviews are only ever added).
ALTER TABLE "products" ADD COLUMN "in_stock_version" BIGINT NOT NULL DEFAULT 0;

-- CreateTable: how far each owner's change feed has been read (the owner's own clock).
CREATE TABLE "catalog_sync" (
    "source" TEXT NOT NULL,
    "since" TIMESTAMP(3) NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "catalog_sync_pkey" PRIMARY KEY ("source")
);
