-- pg_trgm declares its word-similarity operators as cheap as an integer comparison (COST 1), so at
-- 100,000 products the planner checked every name (a sequential scan, seconds) instead of the
-- GIN trigram index (a few thousand rechecks). Their real cost is closer to a regex match (ADR 0016).
ALTER FUNCTION word_similarity_op(text, text) COST 50;
ALTER FUNCTION word_similarity_commutator_op(text, text) COST 50;
