import type { SubgraphDefinition } from '@supergraph/service-kit';
import { productsSubgraph } from '../subgraphs/products/src/subgraph.ts';
import { productsEnvSchema, type ProductsEnv } from '../subgraphs/products/src/env.ts';
import { usersSubgraph } from '../subgraphs/users/src/subgraph.ts';
import { ordersSubgraph } from '../subgraphs/orders/src/subgraph.ts';
import { ordersEnvSchema, type OrdersEnv } from '../subgraphs/orders/src/env.ts';
import { inventorySubgraph } from '../subgraphs/inventory/src/subgraph.ts';
import { inventoryEnvSchema, type InventoryEnv } from '../subgraphs/inventory/src/env.ts';
import { reviewsSubgraph } from '../subgraphs/reviews/src/subgraph.ts';
import { reviewsEnvSchema, type ReviewsEnv } from '../subgraphs/reviews/src/env.ts';
import type { SubgraphName } from './services.ts';

/**
 * Every subgraph's definition with the service-specific settings it needs, for the tools that
 * run subgraphs in-process (test stack, migrate, seed, seed benchmark).
 */
export interface SubgraphSettings {
  userTokenSecret: string;
  internalTokenSecret: string;
  productsUrl: string;
  /** Base URL of inventory (its internal reservation API), for orders. */
  inventoryUrl: string;
  /** Settings of the orders subgraph to override (tests shorten its recovery timings). */
  orders?: Partial<OrdersEnv>;
  /** Settings of the reviews subgraph to override (tests slow its outbox poll). */
  reviews?: Partial<ReviewsEnv>;
  /** Settings of the inventory subgraph to override (its outbox poll). */
  inventory?: Partial<InventoryEnv>;
  /**
   * Settings of the products subgraph: where inventory and reviews serve their change feeds
   * (ADR 0016), and how often it reads them. Products reads these at every sync, so a stack on
   * ephemeral ports may set them on the returned `extra` once the owners listen.
   */
  products?: Partial<ProductsEnv>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDefinition = SubgraphDefinition<any, any, any>;

export function subgraphRegistry(settings: SubgraphSettings): Record<SubgraphName, { definition: AnyDefinition; extra: object }> {
  return {
    products: { definition: productsSubgraph, extra: productsEnvSchema.parse({ INVENTORY_URL: settings.inventoryUrl, ...settings.products }) },
    users: { definition: usersSubgraph, extra: { JWT_SECRET: settings.userTokenSecret } },
    orders: {
      definition: ordersSubgraph,
      extra: ordersEnvSchema.parse({
        INVENTORY_URL: settings.inventoryUrl,
        PRODUCTS_SUBGRAPH_URL: settings.productsUrl,
        INTERNAL_TOKEN_SECRET: settings.internalTokenSecret,
        ...settings.orders,
      }),
    },
    inventory: { definition: inventorySubgraph, extra: inventoryEnvSchema.parse({ ...settings.inventory }) },
    reviews: {
      definition: reviewsSubgraph,
      // Parsed, not listed: its defaults (OUTBOX_INTERVAL_MS) apply as when it runs on its own.
      extra: reviewsEnvSchema.parse({ PRODUCTS_SUBGRAPH_URL: settings.productsUrl, INTERNAL_TOKEN_SECRET: settings.internalTokenSecret, ...settings.reviews }),
    },
  };
}
