-- Catalog search, facets, sorting and product URLs (issue 13, ADR 0016).

-- pg_trgm: typo-tolerant matching (word similarity) and index-backed ILIKE for the legacy
-- substring filter. Real PostgreSQL ships it in contrib; the embedded PGlite loads it (service kit).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Product URLs: a slug per product, backfilled from name and SKU (unique because the SKU is).
ALTER TABLE "products" ADD COLUMN "slug" TEXT;
UPDATE "products" SET "slug" = trim(both '-' from regexp_replace(lower("name" || ' ' || "sku"), '[^a-z0-9]+', '-', 'g'));
ALTER TABLE "products" ALTER COLUMN "slug" SET NOT NULL;

-- Copies of facts owned by inventory and reviews, for filtering, facets and sorting (ADR 0016).
ALTER TABLE "products" ADD COLUMN "in_stock" BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE "products" ADD COLUMN "rating_average" DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE "products" ADD COLUMN "review_count" INTEGER NOT NULL DEFAULT 0;

-- Full-text document: the name outranks the description.
ALTER TABLE "products" ADD COLUMN "search_vector" tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('english'::regconfig, "name"), 'A') || setweight(to_tsvector('english'::regconfig, "description"), 'B')
) STORED;

-- CreateIndex
CREATE UNIQUE INDEX "products_slug_key" ON "products"("slug");

-- Keyset paging under every sort: (sort key, id), with and without a category in front.
DROP INDEX "products_price_cents_idx";
CREATE INDEX "products_price_cents_id_idx" ON "products"("price_cents", "id");
CREATE INDEX "products_rating_average_id_idx" ON "products"("rating_average", "id");
CREATE INDEX "products_created_at_id_idx" ON "products"("created_at", "id");
CREATE INDEX "products_category_id_price_cents_id_idx" ON "products"("category_id", "price_cents", "id");
CREATE INDEX "products_category_id_rating_average_id_idx" ON "products"("category_id", "rating_average", "id");
CREATE INDEX "products_category_id_created_at_id_idx" ON "products"("category_id", "created_at", "id");

-- Search.
CREATE INDEX "products_search_vector_idx" ON "products" USING GIN ("search_vector");
CREATE INDEX "products_name_trgm_idx" ON "products" USING GIN ("name" gin_trgm_ops);
CREATE INDEX "products_description_trgm_idx" ON "products" USING GIN ("description" gin_trgm_ops);
