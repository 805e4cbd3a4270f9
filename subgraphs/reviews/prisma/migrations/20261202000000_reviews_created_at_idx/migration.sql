-- The rating feed products reconciles its copies from (ADR 0016): products reviewed since a watermark.
CREATE INDEX "reviews_created_at_idx" ON "reviews"("created_at");
