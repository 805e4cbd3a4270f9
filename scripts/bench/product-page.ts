// `npm run bench:gateway`: ProductPage through the gateway, the storefront's hottest operation,
// on a fresh in-process supergraph (PostgreSQL when DATABASE_URL is set). Each round runs the
// same load; quote medians across rounds. Settings: BENCH_REQUESTS (3000), BENCH_CONCURRENCY (32),
// BENCH_ROUNDS (3), BENCH_HOT_PRODUCTS (200: how many distinct products the load spreads over).
import { readFileSync } from 'node:fs';
import { parse, print, type OperationDefinitionNode } from 'graphql';
import { demoIds } from '@supergraph/service-kit';
import { startStack } from '../in-process-stack.ts';
import { repoPath } from '../paths.ts';
import { formatLoad, runLoad } from './load.ts';

const requests = Number(process.env.BENCH_REQUESTS ?? 3000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const hotProducts = Number(process.env.BENCH_HOT_PRODUCTS ?? 200);

const contract = parse(readFileSync(repoPath('..', 'shared', 'contract', 'operations.graphql'), 'utf8'));
const productPage = print(contract.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition' && d.name?.value === 'ProductPage')!);

const stack = await startStack({ seedProducts: 2000 });
try {
  console.log(`database: ${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'}; ${requests} requests a round, concurrency ${concurrency}, ${hotProducts} products`);
  const results = [];
  for (let round = 1; round <= rounds; round++) {
    const result = await runLoad(requests, concurrency, async (n) => {
      const response = await fetch(stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: productPage, variables: { id: demoIds.product(n % hotProducts) } }),
      });
      const body = (await response.json()) as { errors?: unknown[] };
      return response.status !== 200 ? `http_${response.status}` : body.errors ? 'errors' : 'ok';
    });
    results.push(result);
    console.log(`round ${round}: ${formatLoad(result)}`);
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  console.log(
    `median of ${rounds}: ${median(results.map((r) => r.perSecond)).toFixed(1)}/s, p50 ${median(results.map((r) => r.p50)).toFixed(1)} ms, p99 ${median(results.map((r) => r.p99)).toFixed(1)} ms`,
  );
} finally {
  await stack.close();
}
