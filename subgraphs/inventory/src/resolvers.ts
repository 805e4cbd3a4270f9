import { badUserInput, forbidden, notFound, unauthenticated, type GraphQLResolverMap } from '@supergraph/service-kit';
import type { InventoryContext } from './context.ts';
import { parseAdjustStockInput } from './input.ts';
import { parseShippingInputs, shippingEstimate } from './shipping.ts';

/** A Product representation from the gateway: its key, plus the `@requires` fields when asked for. */
export interface ProductRepresentation {
  id: string;
  price?: unknown;
  weight?: unknown;
}

type StockContext = Pick<InventoryContext, 'loaders'>;

/** A product without a stock row has never been stocked: none available. */
async function availableUnits(product: ProductRepresentation, ctx: StockContext): Promise<number> {
  return (await ctx.loaders.stockLevel.load(product.id))?.available ?? 0;
}

type AdjustContext = Pick<InventoryContext, 'viewer' | 'store' | 'responseCache' | 'outbox'>;

// `satisfies` rather than a type annotation keeps each resolver's own signature, so tests can call them.
export const resolvers = {
  Mutation: {
    async adjustStock(_: unknown, args: { input: unknown }, ctx: AdjustContext): Promise<ProductRepresentation> {
      if (!ctx.viewer) throw unauthenticated('Sign in as an admin to adjust stock');
      if (ctx.viewer.role !== 'ADMIN') throw forbidden('Only admins adjust stock');
      const input = parseAdjustStockInput(args.input);
      const result = await ctx.store.adjustStock({ ...input, actorId: ctx.viewer.id });
      switch (result.outcome) {
        case 'NO_SUCH_PRODUCT':
          throw notFound(`Inventory stocks no product with id ${input.productId}`);
        case 'BELOW_ZERO':
          throw badUserInput(`Only ${result.available} unit(s) of ${input.productId} are available: removing ${-input.delta} would go below zero`, { field: 'delta', available: result.available });
        case 'KEY_REUSED':
          throw badUserInput('This idempotencyKey was used for another adjustment (another product or delta)', { field: 'idempotencyKey' });
        case 'APPLIED':
          // Stock is in cached pages (availability, the catalog's filters): none may be served stale.
          await ctx.responseCache.purge('Product', [input.productId]);
          if (result.announced > 0) ctx.outbox.nudge();
          break;
        case 'REPLAYED':
          break;
      }
      return { id: input.productId };
    },
  },
  Product: {
    // Every product id is valid here (no row means no stock), so the representation itself is the
    // entity: stock is read lazily by the batched loader, and a request for shippingEstimate alone
    // costs no SQL at all.
    __resolveReference: (reference: ProductRepresentation): ProductRepresentation => reference,
    stock: (product: ProductRepresentation, _: unknown, ctx: StockContext) => availableUnits(product, ctx),
    inStock: async (product: ProductRepresentation, _: unknown, ctx: StockContext) => (await availableUnits(product, ctx)) > 0,
    shippingEstimate: (product: ProductRepresentation) => {
      const { price, weightGrams } = parseShippingInputs(product);
      return shippingEstimate(price, weightGrams);
    },
  },
} satisfies GraphQLResolverMap<InventoryContext>;
