// The shoppers of `npm run bench:full-stack`: their accounts, the catalog pages they browse, and
// one request of each operation of the mix (the storefront's own persisted operations).
import pg from 'pg';
import { demoIds, prng } from '@supergraph/service-kit';
import { storefrontOperations } from '../../operations.ts';
import { classify, type GraphQLBody, type Operation, type Outcome } from './outcome.ts';

const PASSWORD = 'full-stack-bench-password';
const CATEGORIES = 12; // seedPlan().categories
const SEARCH_TERMS = ['smart', 'lamp', 'kettle', 'tent', 'headphone', 'bottle', 'chair', 'speaker'];

export interface Shopper {
  email: string;
  token: string;
}

export interface Workload {
  shoppers: Shopper[];
  catalogPages: Array<Record<string, unknown>>;
  send(operation: Operation, n: number, signal: AbortSignal): Promise<Outcome>;
}

type Post = (query: string, variables: Record<string, unknown>, token?: string, signal?: AbortSignal) => Promise<{ status: number; body: GraphQLBody | undefined }>;

export function poster(gatewayUrl: string): Post {
  return async (query, variables, token, signal) => {
    const response = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
      signal,
    });
    const body = (await response.json().catch(() => undefined)) as GraphQLBody | undefined;
    return { status: response.status, body };
  };
}

/** Orders must never run out during the run: every product gets a stock no run can exhaust. */
export async function unlimitedStock(inventoryDatabaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: inventoryDatabaseUrl });
  await client.connect();
  try {
    return (await client.query('UPDATE stock_levels SET available = 100000000')).rowCount ?? 0;
  } finally {
    await client.end();
  }
}

/** Signs `count` shoppers up through the gateway, a few at a time (password hashing is costly). */
async function signUpShoppers(post: Post, runId: string, count: number): Promise<Shopper[]> {
  const signUp = storefrontOperations().SignUp!;
  const shoppers: Shopper[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let i = next++; i < count; i = next++) {
        const email = `fs-${runId}-${i}@example.com`;
        for (let attempt = 0; ; attempt++) {
          const { status, body } = await post(signUp, { input: { email, password: PASSWORD, name: `Bench Shopper ${i}` } });
          const token = body?.data?.signUp?.token as string | undefined;
          if (token) {
            shoppers.push({ email, token });
            break;
          }
          // A busy users subgraph refuses some sign-ups (ADR 0012): wait and retry, as clients do.
          const overloaded = body?.errors?.every((e) => e.extensions?.code === 'SERVICE_OVERLOADED');
          if (!overloaded || attempt >= 20) throw new Error(`sign-up of ${email} failed (HTTP ${status}): ${JSON.stringify(body?.errors ?? body)}`);
          await new Promise((resolve) => setTimeout(resolve, 500 + Math.random() * 500));
        }
      }
    }),
  );
  return shoppers;
}

/**
 * Catalog variables: first pages of each category, of searches and of price and stock filters,
 * plus pages 2-4 of a few of them (their cursors walked once here).
 */
async function catalogPages(post: Post): Promise<Array<Record<string, unknown>>> {
  const catalog = storefrontOperations().Catalog!;
  const filters: Array<Record<string, unknown>> = [
    {},
    { inStock: true },
    { minPriceCents: 1_000, maxPriceCents: 5_000 },
    { minPriceCents: 5_000, maxPriceCents: 30_000, inStock: true },
    ...Array.from({ length: CATEGORIES }, (_, i) => ({ categoryId: demoIds.category(i) })),
    ...SEARCH_TERMS.map((query) => ({ query })),
  ];
  const pages: Array<Record<string, unknown>> = filters.map((filter) => ({ first: 20, filter }));
  for (const filter of filters.slice(0, 6)) {
    let after: string | null = null;
    for (let page = 2; page <= 4; page++) {
      const { status, body } = await post(catalog, { first: 20, after, filter });
      const info = body?.data?.products?.pageInfo as { hasNextPage: boolean; endCursor: string | null } | undefined;
      if (status !== 200 || !info) throw new Error(`walking catalog pages of ${JSON.stringify(filter)}: HTTP ${status} ${JSON.stringify(body?.errors)}`);
      if (!info.hasNextPage || !info.endCursor) break;
      after = info.endCursor;
      pages.push({ first: 20, after, filter });
    }
  }
  return pages;
}

export async function prepareWorkload(options: { gatewayUrl: string; runId: string; shoppers: number; products: number; seed?: number }): Promise<Workload> {
  const post = poster(options.gatewayUrl);
  const operations = storefrontOperations();
  const shoppers = await signUpShoppers(post, options.runId, options.shoppers);
  const pages = await catalogPages(post);
  const random = prng(options.seed ?? 42);
  // Popularity is skewed as in a shop (u³: the first 10 % of products get about 46 % of views),
  // so the response cache and the database's buffers see a hot set and a long tail.
  const popularProduct = () => demoIds.product(Math.floor(options.products * random() ** 3));
  const shopper = () => shoppers[Math.floor(random() * shoppers.length)]!;
  // One review per (shopper, product), never repeated: the k-th review's pair is unique while k < shoppers × products.
  const step = options.products % 7919 === 0 ? 1 : 7919;
  let reviews = 0;

  const requestFor = (operation: Operation, n: number): [string, Record<string, unknown>, string?] => {
    switch (operation) {
      case 'Catalog':
        return [operations.Catalog!, pages[Math.floor(random() * pages.length)]!];
      case 'ProductPage':
        return [operations.ProductPage!, { id: popularProduct() }];
      case 'LogIn': {
        const { email } = shopper();
        return [operations.LogIn!, { input: { email, password: PASSWORD } }];
      }
      case 'Me':
        return [operations.Me!, {}, shopper().token];
      case 'PlaceOrder':
        return [
          operations.PlaceOrder!,
          { input: { idempotencyKey: `fs-${options.runId}-${n}`, items: [{ productId: popularProduct(), quantity: 1 + (n % 2) }], paymentToken: 'tok_visa' } },
          shopper().token,
        ];
      case 'AddReview': {
        const k = reviews++;
        const author = shoppers[k % shoppers.length]!;
        const productIndex = (Math.floor(k / shoppers.length) * step) % options.products;
        return [operations.AddReview!, { input: { productId: demoIds.product(productIndex), rating: 1 + (k % 5), body: `Bench review ${k}: does what it says.` } }, author.token];
      }
    }
  };

  return {
    shoppers,
    catalogPages: pages,
    async send(operation, n, signal) {
      const [query, variables, token] = requestFor(operation, n);
      const { status, body } = await post(query, variables, token, signal);
      return classify(operation, status, body);
    },
  };
}
