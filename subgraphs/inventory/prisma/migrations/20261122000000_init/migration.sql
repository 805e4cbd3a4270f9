-- CreateTable
CREATE TABLE "stock_levels" (
    "product_id" TEXT NOT NULL,
    "available" INTEGER NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stock_levels_pkey" PRIMARY KEY ("product_id")
);

-- Not expressible in schema.prisma: stock can never go negative, whatever writes it
-- (reservations decrement this column with a guarded UPDATE and rely on this as the last line).
ALTER TABLE "stock_levels" ADD CONSTRAINT "stock_levels_available_check" CHECK ("available" >= 0);
