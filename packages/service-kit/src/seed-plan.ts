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

/** Splits `total` rows into chunks for batched inserts (bounded by Postgres' bind-parameter limit). */
export async function insertInChunks<T>(rows: T[], chunkSize: number, insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < rows.length; start += chunkSize) {
    await insert(rows.slice(start, start + chunkSize));
  }
}
