// `npm run bench:checkout`: placeOrder throughput and latency through the gateway, on a fresh
// in-process supergraph (PostgreSQL when DATABASE_URL is set, else embedded PGlite).
// Settings: BENCH_ORDERS (default 2000), BENCH_CONCURRENCY (32), BENCH_USERS (50), BENCH_PRODUCTS (20).
import pg from 'pg';
import { demoIds } from '@supergraph/service-kit';
import { startStack } from '../in-process-stack.ts';
import { formatLoad, runLoad } from './load.ts';
import { storefrontOperations } from '../operations.ts';

const orders = Number(process.env.BENCH_ORDERS ?? 2000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const userCount = Number(process.env.BENCH_USERS ?? 50);
const productCount = Number(process.env.BENCH_PRODUCTS ?? 20);

const operations = storefrontOperations();
const op = (name: string) => operations[name]!;

const stack = await startStack({ seedProducts: 2000 });
try {
  const post = async (query: string, variables: unknown, token?: string) => {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: any; errors?: unknown[] };
  };
  const products = Array.from({ length: productCount }, (_, i) => demoIds.product(i));
  const inventory = new pg.Client({ connectionString: stack.subgraphs.inventory.databaseUrl });
  await inventory.connect();
  await inventory.query('UPDATE stock_levels SET available = 1000000 WHERE product_id = ANY($1)', [products]);
  await inventory.end();

  const tokens: string[] = [];
  for (let i = 0; i < userCount; i++) {
    const r = await post(op('SignUp'), { input: { email: `bench${i}-${Date.now()}@example.com`, password: 'bench-password-1', name: `Bench ${i}` } });
    tokens.push(r.data.signUp.token);
  }

  const placeOrder = op('PlaceOrder');
  const result = await runLoad(orders, concurrency, async (n) => {
    const r = await post(
      placeOrder,
      { input: { idempotencyKey: `bench-${n}`, items: [{ productId: products[n % products.length], quantity: 1 + (n % 3) }], paymentToken: 'tok_visa' } },
      tokens[n % tokens.length],
    );
    // A busy subgraph's refusal (SERVICE_OVERLOADED, ADR 0012) is counted apart from errors.
    const overloaded = (r.errors as Array<{ extensions?: { code?: string } }> | undefined)?.every((e) => e.extensions?.code === 'SERVICE_OVERLOADED');
    return r.errors ? (overloaded && !r.data?.placeOrder ? 'refused' : 'error') : r.data.placeOrder.status;
  });
  console.log(`database: ${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'}; ${orders} orders, concurrency ${concurrency}, ${userCount} users, ${productCount} products`);
  console.log(`placeOrder: ${formatLoad(result)}`);
} finally {
  await stack.close();
}
