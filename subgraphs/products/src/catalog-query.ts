import { Prisma } from './generated/prisma/client.ts';
import type { CatalogFilter, CatalogPageRequest, CatalogPosition, CatalogSort } from './catalog-page.ts';

/**
 * The catalog's SQL, built from fragments (Prisma.sql binds every value). Prisma's query builder
 * cannot express tsvector matching, trigram similarity or row-value keyset comparisons, so the
 * catalog reads with raw SQL and everything else in this subgraph keeps using Prisma's API.
 */

/** The columns of a catalog row, named as Prisma's Product model names them. */
export const PRODUCT_COLUMNS = Prisma.sql`"id", "sku", "slug", "name", "description", "price_cents" AS "priceCents", "currency",
  "weight_grams" AS "weightGrams", "category_id" AS "categoryId", "created_at" AS "createdAt",
  "in_stock" AS "inStock", "rating_average" AS "ratingAverage", "review_count" AS "reviewCount"`;

/** Price band edges in cents: bands are [0, 1000), [1000, 2500), … [25000, ∞). */
export const PRICE_BAND_EDGES = [1_000, 2_500, 5_000, 10_000, 25_000] as const;

/** Words of a query, for to_tsquery: letters and digits only, so no user text reaches tsquery syntax. */
export function queryWords(query: string): string[] {
  return (query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 10);
}

/** Every word a prefix (search-as-you-type: "blue spea" finds "blue speaker"), all required. */
export const prefixTsQuery = (words: string[]) => words.map((word) => `${word}:*`).join(' & ');

const tsQuery = (words: string[]) => Prisma.sql`to_tsquery('english'::regconfig, ${prefixTsQuery(words)})`;

/**
 * Which products a full-text query's statement reads: the products its words match, or, when the
 * words match no product at all, the products whose names are trigram-similar to it (a typo). The
 * store runs a statement over the word matches and only when that finds nothing checks whether a
 * typo fallback applies (ProductStore.overMatches): deciding inside the statement needed every
 * match materialized first, which more than doubled a common word's statements (ADR 0016).
 */
export type QueryMatches = 'words' | 'typo';

/**
 * The rows a full-text `query` matches, as a relation the other conditions then filter: the words
 * as typed (stemmed, each a prefix, all required), or the names whose words are trigram-similar to
 * the query (pg_trgm's `<%`, word similarity ≥ 0.6). Both are GIN index scans. `ranked`: whether
 * `relevance` is computed (a page sorted by it) or 0 (counts and facets need no ranking).
 */
function queryMatches(query: string, matches: QueryMatches, ranked: boolean): Prisma.Sql {
  const words = queryWords(query);
  if (words.length === 0) return Prisma.sql`(SELECT *, 0::float8 AS "relevance" FROM "products" WHERE FALSE)`;
  if (matches === 'typo') {
    const rank = ranked ? Prisma.sql`word_similarity(${query}, "name")::float8` : Prisma.sql`0::float8`;
    return Prisma.sql`(SELECT *, ${rank} AS "relevance" FROM "products" WHERE ${query} <% "name")`;
  }
  const rank = ranked ? Prisma.sql`ts_rank("search_vector", ${tsQuery(words)})::float8` : Prisma.sql`0::float8`;
  return Prisma.sql`(SELECT *, ${rank} AS "relevance" FROM "products" WHERE "search_vector" @@ ${tsQuery(words)})`;
}

/** How many products a query's words match, counted through the GIN index (an EXISTS would be planned as a sequential scan: the planner cannot estimate prefix tsqueries). */
export const wordMatchCountQuery = (query: string): Prisma.Sql =>
  Prisma.sql`SELECT count(*)::int AS "count" FROM ${queryMatches(query, 'words', false)} AS "matches"`;

/**
 * What a catalog statement reads: every product, or the matches of a full-text query. `ranked`
 * only for a statement that sorts by relevance: ranking every match is work a count does not need.
 */
const catalogSource = (filter: CatalogFilter, matches: QueryMatches, ranked = false): Prisma.Sql =>
  filter.query ? Prisma.sql`${queryMatches(filter.query, matches, ranked)} AS "products"` : Prisma.sql`"products"`;

/**
 * Relevance, a column of the matches (catalogSource): the text rank of a word match (the name's
 * weight A beats the description's B), or the name's trigram similarity for a typo match. Ranking
 * word matches by trigram similarity as well cost more than the rest of a search at 100,000 products.
 */
const RELEVANCE = Prisma.sql`"relevance"`;

/** LIKE's wildcards escaped, so the contract's substring search is literal. */
export const escapeLikePattern = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

function filterConditions(filter: CatalogFilter): Prisma.Sql[] {
  const conditions: Prisma.Sql[] = [];
  if (filter.categoryId) conditions.push(Prisma.sql`"category_id" = ${filter.categoryId}`);
  if (filter.minPriceCents != null) conditions.push(Prisma.sql`"price_cents" >= ${filter.minPriceCents}`);
  if (filter.maxPriceCents != null) conditions.push(Prisma.sql`"price_cents" <= ${filter.maxPriceCents}`);
  if (filter.minRating != null) conditions.push(Prisma.sql`"rating_average" >= ${filter.minRating}`);
  if (filter.inStock != null) conditions.push(Prisma.sql`"in_stock" = ${filter.inStock}`);
  if (filter.search) {
    // The contract's substring match, served by the trigram indexes on name and description.
    const pattern = `%${escapeLikePattern(filter.search)}%`;
    conditions.push(Prisma.sql`("name" ILIKE ${pattern} OR "description" ILIKE ${pattern})`);
  }
  return conditions; // `query` is the source's (catalogSource), not a condition
}

const whereClause = (conditions: Prisma.Sql[]) =>
  conditions.length === 0 ? Prisma.empty : Prisma.sql`WHERE ${Prisma.join(conditions, ' AND ')}`;

interface SortSpec {
  /** The sort key's SQL; null under ID. */
  key: Prisma.Sql | null;
  descending: boolean;
  /** Ties broken by id in the same direction as the key, so a row comparison is one index range. */
  idDescending: boolean;
}

function sortSpec(sort: CatalogSort, filter: CatalogFilter): SortSpec {
  switch (sort) {
    case 'ID': return { key: null, descending: false, idDescending: false };
    case 'PRICE_ASC': return { key: Prisma.sql`"price_cents"`, descending: false, idDescending: false };
    case 'PRICE_DESC': return { key: Prisma.sql`"price_cents"`, descending: true, idDescending: true };
    case 'RATING': return { key: Prisma.sql`"rating_average"`, descending: true, idDescending: true };
    case 'NEWEST': return { key: Prisma.sql`"created_at"`, descending: true, idDescending: true };
    // Ranks tie often (same words): ascending ids among equals, like the ID order.
    case 'RELEVANCE': return { key: filter.query ? RELEVANCE : Prisma.sql`0::float8`, descending: true, idDescending: false };
  }
}

function keyValue(sort: CatalogSort, position: CatalogPosition): Prisma.Sql {
  if (sort === 'NEWEST') return Prisma.sql`${String(position.key)}::timestamp(3)`;
  if (sort === 'RATING' || sort === 'RELEVANCE') return Prisma.sql`${Number(position.key)}::float8`;
  return Prisma.sql`${Number(position.key)}::integer`;
}

/** Rows strictly after `position` in the sort's order. */
function afterCondition(sort: CatalogSort, spec: SortSpec, position: CatalogPosition): Prisma.Sql {
  const idOp = Prisma.raw(spec.idDescending ? '<' : '>');
  if (!spec.key) return Prisma.sql`"id" ${idOp} ${position.id}`;
  const keyOp = Prisma.raw(spec.descending ? '<' : '>');
  const value = keyValue(sort, position);
  if (spec.descending === spec.idDescending) return Prisma.sql`(${spec.key}, "id") ${keyOp} (${value}, ${position.id})`;
  return Prisma.sql`(${spec.key} ${keyOp} ${value} OR (${spec.key} = ${value} AND "id" ${idOp} ${position.id}))`;
}

function orderBy(spec: SortSpec): Prisma.Sql {
  const id = Prisma.raw(`"id" ${spec.idDescending ? 'DESC' : 'ASC'}`);
  if (!spec.key) return Prisma.sql`ORDER BY ${id}`;
  return Prisma.sql`ORDER BY ${spec.key} ${Prisma.raw(spec.descending ? 'DESC' : 'ASC')}, ${id}`;
}

/** One page plus a look-ahead row; `sort_key` comes back for the cursors. */
export function pageQuery(request: CatalogPageRequest, matches: QueryMatches = 'words', extraConditions: Prisma.Sql[] = []): Prisma.Sql {
  const spec = sortSpec(request.sort, request.filter);
  const conditions = [...filterConditions(request.filter), ...extraConditions];
  if (request.after) conditions.push(afterCondition(request.sort, spec, request.after));
  const sortKey = spec.key ?? Prisma.sql`NULL`;
  return Prisma.sql`SELECT ${PRODUCT_COLUMNS}, ${sortKey} AS "sortKey" FROM ${catalogSource(request.filter, matches, request.sort === 'RELEVANCE')} ${whereClause(conditions)}
    ${orderBy(spec)} LIMIT ${request.first + 1}`;
}

/** The same page in each of many categories: the page query run once per category by a LATERAL join. */
export function categoryPagesQuery(categoryIds: readonly string[], request: CatalogPageRequest, matches: QueryMatches = 'words'): Prisma.Sql {
  const inner = pageQuery({ ...request, filter: { ...request.filter, categoryId: null } }, matches, [Prisma.sql`"category_id" = "wanted"."id"`]);
  return Prisma.sql`SELECT "page".* FROM unnest(${[...categoryIds]}::text[]) AS "wanted"("id") CROSS JOIN LATERAL (${inner}) AS "page"`;
}

/** How many products pass a filter. */
export const countQuery = (filter: CatalogFilter, matches: QueryMatches = 'words'): Prisma.Sql =>
  Prisma.sql`SELECT count(*)::int AS "count" FROM ${catalogSource(filter, matches)} ${whereClause(filterConditions(filter))}`;

/** How many products pass a filter in each of many categories, in one statement (a category without any has no row). */
export function categoryCountsQuery(categoryIds: readonly string[], filter: CatalogFilter, matches: QueryMatches = 'words'): Prisma.Sql {
  const conditions = filterConditions({ ...filter, categoryId: null });
  conditions.push(Prisma.sql`"category_id" = ANY(${[...categoryIds]}::text[])`);
  return Prisma.sql`SELECT "category_id" AS "categoryId", count(*)::int AS "count" FROM ${catalogSource(filter, matches)} ${whereClause(conditions)} GROUP BY "category_id"`;
}

/**
 * Every facet of the filtered set in one statement: one grouping set a facet. `rating_floor` is
 * grouped by whole stars and summed into "n stars and up" bands by the caller.
 */
/**
 * The facets of a filter in one statement. With `categoryIds`, of each of those categories at
 * once (Category.products): every grouping set is also grouped by category, and facets.ts reads
 * each category's rows as the one-category statement's.
 */
export function facetsQuery(filter: CatalogFilter, matches: QueryMatches = 'words', categoryIds?: readonly string[]): Prisma.Sql {
  const edges = Prisma.sql`ARRAY[${Prisma.join(PRICE_BAND_EDGES.map((edge) => Prisma.sql`${edge}::integer`))}]`;
  const conditions = filterConditions(categoryIds ? { ...filter, categoryId: null } : filter);
  if (categoryIds) conditions.push(Prisma.sql`"category_id" = ANY(${[...categoryIds]}::text[])`);
  const sets = categoryIds
    ? Prisma.sql`GROUPING SETS (("category_id"), ("category_id", "price_band"), ("category_id", "rating_floor"), ("category_id", "in_stock"))`
    : Prisma.sql`GROUPING SETS (("category_id"), ("price_band"), ("rating_floor"), ("in_stock"))`;
  return Prisma.sql`
    SELECT GROUPING("category_id", "price_band", "rating_floor", "in_stock")::int AS "grouping",
           "category_id" AS "categoryId", "price_band" AS "priceBand", "rating_floor" AS "ratingFloor", "in_stock" AS "inStock",
           count(*)::int AS "count"
    FROM (
      SELECT "category_id", width_bucket("price_cents", ${edges}) AS "price_band",
             floor("rating_average")::int AS "rating_floor", "in_stock"
      FROM ${catalogSource(filter, matches)} ${whereClause(conditions)}
    ) AS "matched"
    GROUP BY ${sets}`;
}
