import type { GraphQLResolverMap } from '@supergraph/service-kit';
import type { InventoryContext } from './context.ts';
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

// `satisfies` rather than a type annotation keeps each resolver's own signature, so tests can call them.
export const resolvers = {
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
