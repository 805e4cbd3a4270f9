-- CreateTable: stock changed by hand (adjustStock), one row per idempotency key.
CREATE TABLE "stock_adjustments" (
    "idempotency_key" TEXT NOT NULL,
    "product_id" TEXT NOT NULL,
    "delta" INTEGER NOT NULL,
    "reason" TEXT,
    "available_after" INTEGER NOT NULL,
    "actor_id" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stock_adjustments_pkey" PRIMARY KEY ("idempotency_key"),
    CONSTRAINT "stock_adjustments_delta_check" CHECK ("delta" <> 0)
);

-- CreateIndex
CREATE INDEX "stock_adjustments_product_id_created_at_idx" ON "stock_adjustments"("product_id", "created_at");
