import { demoIds } from '@supergraph/service-kit';
import { storefrontOperations } from '../../operations.ts';

/**
 * The bench's two queries. The wide one is the shape of the public gateway benchmarks: one large
 * answer joined from four subgraphs (products: page, category; inventory: stock, shipping;
 * reviews: rating, reviews; users: authors).
 */
export const WIDE_CATALOG = /* GraphQL */ `
  query WideCatalog($first: Int!) {
    products(first: $first) {
      totalCount
      edges {
        node {
          id
          sku
          name
          price { amountCents currency }
          category { id name slug }
          inStock
          stock
          shippingEstimate { amountCents currency }
          averageRating
          reviewCount
          reviewsConnection(first: 3) {
            edges { node { id rating body createdAt author { id name } } }
          }
        }
      }
    }
  }`;

export interface BenchQuery {
  name: string;
  /** The request bodies the load cycles through (client n sends bodies[n % length]). */
  bodies: string[];
}

export function benchQueries(productSpread: number): BenchQuery[] {
  const productPage = storefrontOperations().ProductPage!;
  return [
    { name: 'wide catalog (100 products)', bodies: [JSON.stringify({ query: WIDE_CATALOG, variables: { first: 100 } })] },
    {
      name: `ProductPage (${productSpread} ids)`,
      bodies: Array.from({ length: productSpread }, (_, n) => JSON.stringify({ query: productPage, variables: { id: demoIds.product(n) } })),
    },
  ];
}
