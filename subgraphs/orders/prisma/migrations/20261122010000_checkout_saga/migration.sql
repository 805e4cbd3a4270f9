-- CreateEnum
CREATE TYPE "CheckoutStep" AS ENUM ('RECORDED', 'RESERVED', 'PAYMENT_DECLINED', 'CANCELLING', 'DONE');

-- CreateEnum
CREATE TYPE "TestChargeStatus" AS ENUM ('SUCCEEDED', 'DECLINED');

-- AlterTable
-- (cart_fingerprint has no default: no order could be placed before the checkout existed.)
ALTER TABLE "orders" ADD COLUMN     "cart_fingerprint" TEXT NOT NULL,
ADD COLUMN     "charge_id" TEXT,
ADD COLUMN     "checkout_step" "CheckoutStep" NOT NULL DEFAULT 'RECORDED',
ADD COLUMN     "payment_token" TEXT,
ADD COLUMN     "refund_id" TEXT;

-- CreateTable
CREATE TABLE "outbox_events" (
    "id" BIGSERIAL NOT NULL,
    "topic" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMP(3),

    CONSTRAINT "outbox_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "test_payment_charges" (
    "id" TEXT NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "amount_cents" INTEGER NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "token" TEXT NOT NULL,
    "status" "TestChargeStatus" NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "refunded_at" TIMESTAMP(3),

    CONSTRAINT "test_payment_charges_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "orders_checkout_step_updated_at_idx" ON "orders"("checkout_step", "updated_at");

-- CreateIndex
CREATE INDEX "outbox_events_published_at_id_idx" ON "outbox_events"("published_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "test_payment_charges_idempotency_key_key" ON "test_payment_charges"("idempotency_key");
