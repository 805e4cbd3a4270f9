-- Partner API keys, hashed, beside the operation lists (ADR 0011).
-- CreateTable
CREATE TABLE "partner_api_keys" (
    "id" SERIAL NOT NULL,
    "client" TEXT NOT NULL,
    "key_hash" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMP(3),

    CONSTRAINT "partner_api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "partner_api_keys_key_hash_key" ON "partner_api_keys"("key_hash");

-- CreateIndex
CREATE INDEX "partner_api_keys_client_idx" ON "partner_api_keys"("client");
