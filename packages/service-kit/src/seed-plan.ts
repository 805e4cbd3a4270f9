/**
 * The demo data set, shared by every subgraph's seed so that their separately seeded databases
 * agree on ids: the reviews subgraph reviews the same products the products subgraph created,
 * by the same users the users subgraph created. Deterministic: the same scale gives the same
 * data on every run and every machine.
 */
export interface SeedPlan {
  products: number;
  categories: number;
  users: number;
  reviews: number;
}

export const DEFAULT_SEED_PRODUCTS = 2000;

export function seedPlan(products = DEFAULT_SEED_PRODUCTS): SeedPlan {
  return {
    products,
    categories: 12,
    users: Math.max(300, Math.round(products * 0.15)),
    reviews: products * 5,
  };
}

const idOf = (kind: number) => (index: number) =>
  `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${index.toString(16).padStart(12, '0')}`;

/** UUID-shaped, sortable ids in creation order: index i of each kind always gets the same id. */
export const demoIds = {
  category: idOf(1),
  product: idOf(2),
  user: idOf(3),
  review: idOf(4),
};

/**
 * The two demo accounts printed by `npm start`. Their passwords are public and for local
 * demos only; seeding is off by default when NODE_ENV=production.
 */
export const DEMO_ACCOUNTS = {
  admin: { index: 0, email: 'admin@example.com', password: 'demo-admin-password', name: 'Ada Admin', role: 'ADMIN' },
  shopper: { index: 1, email: 'shopper@example.com', password: 'demo-shopper-password', name: 'Sam Shopper', role: 'USER' },
} as const;

/** mulberry32: a tiny seeded PRNG, good enough for demo data and fully reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/**
 * Demo stock: the units inventory seeds for each demo product. Here, not in inventory, because
 * products seeds its `in_stock` copy from the same plan (ADR 0016), and a subgraph never imports
 * another's code.
 */
export const OUT_OF_STOCK_SHARE = 0.05;
export const MAX_SEEDED_UNITS = 250;
/** Demos and smoke tests order the first product: it must always be orderable, several times over. */
export const FIRST_PRODUCT_MIN_UNITS = 100;

/** The stock of demo product `index`, from two draws of `random` whatever the outcome (so it depends on `index` only). */
export function demoStockLevel(index: number, random: () => number): number {
  const outOfStock = random() < OUT_OF_STOCK_SHARE;
  const units = 1 + Math.floor(random() * MAX_SEEDED_UNITS);
  if (index === 0) return Math.max(FIRST_PRODUCT_MIN_UNITS, units);
  return outOfStock ? 0 : units;
}

/** The demo stock levels, one per demo product, the same on every run. */
export function demoStockLevels(productCount: number): Array<{ productId: string; available: number }> {
  const random = prng(20261124);
  return Array.from({ length: productCount }, (_, i) => ({ productId: demoIds.product(i), available: demoStockLevel(i, random) }));
}

/** One demo review (the reviews subgraph's row shape). */
export interface DemoReview {
  id: string;
  productId: string;
  authorId: string;
  rating: number;
  body: string;
  createdAt: Date;
}

// Cumulative shares per rating: most shoppers who bother to review are happy (≈ 5/7/13/35/40 %).
const RATING_CUMULATIVE = [0.05, 0.12, 0.25, 0.6, 1] as const;
const REVIEW_BODIES: Record<number, readonly string[]> = {
  1: ['Broke within a week. Would not buy again.', 'Nothing like the description. Returned it.', 'Arrived damaged and support never answered.'],
  2: ['Works, barely. Feels cheaper than the price suggests.', 'Disappointing build quality for the money.', 'Had high hopes; it does the job only half well.'],
  3: ['Does what it says, nothing more.', 'Decent for the price, a few rough edges.', 'Fine for occasional use.'],
  4: ['Very good overall; one small gripe with the finish.', 'Solid and well made. Would recommend.', 'Happy with it after a month of daily use.'],
  5: ['Excellent. Exactly what I was looking for.', 'Outstanding quality, fast delivery, five stars.', 'Best purchase this year, bought a second one as a gift.'],
};
const FIRST_REVIEW_AT = Date.UTC(2026, 0, 1);
const MINUTE_MS = 60_000;

function skewedRating(random: () => number): number {
  const draw = random();
  return RATING_CUMULATIVE.findIndex((share) => draw < share) + 1;
}

/**
 * The demo reviews, one at a time and deterministic (reviews seeds them; products seeds its rating
 * copies from them). Review k is of product k mod P, in round r = ⌊k / P⌋, by author (7p + r) mod U:
 * distinct authors per product while r < U, which holds because the plan has 5 reviews per product
 * and at least 300 users.
 */
export function* demoReviewRows(plan: SeedPlan): Generator<DemoReview> {
  const random = prng(20261125);
  for (let k = 0; k < plan.reviews; k++) {
    const productIndex = k % plan.products;
    const round = Math.floor(k / plan.products);
    const rating = skewedRating(random);
    yield {
      id: demoIds.review(k),
      productId: demoIds.product(productIndex),
      authorId: demoIds.user((productIndex * 7 + round) % plan.users),
      rating,
      body: pick(random, REVIEW_BODIES[rating]!),
      createdAt: new Date(FIRST_REVIEW_AT + k * MINUTE_MS),
    };
  }
}

/** Splits `total` rows into chunks for batched inserts (bounded by Postgres' bind-parameter limit). */
export async function insertInChunks<T>(rows: T[], chunkSize: number, insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < rows.length; start += chunkSize) {
    await insert(rows.slice(start, start + chunkSize));
  }
}
