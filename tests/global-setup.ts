import type { TestProject } from 'vitest/node';
import { startStack, type StackInfo } from '../scripts/in-process-stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

/**
 * One supergraph for every end-to-end test file; files run one at a time (vitest.config.ts).
 * Files that change a product's stock or reviews own a range of the demo products, so none sees
 * another's changes: 100-149 catalog-search (names), 150-159 subscriptions, 160 subscription-order-watching, 170-179
 * subscription-lifecycle, 200-219 inventory-reservations, 220-239 browser storefront, 240-249 checkout-burst, 250-279
 * checkout, 280-282 cache-privacy and identity-token-capture, 290 termination-signals, 192-199 catalog-copies, 283-284 catalog-cache-purge, 285-286 stock-adjustments.
 */
export default async function setup(project: TestProject) {
  const stack = await startStack({ seedProducts: Number(process.env.TEST_SEED_PRODUCTS ?? 300) });
  const { close, ...info } = stack;
  project.provide('stack', info);
  return close;
}
