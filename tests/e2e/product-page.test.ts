import { describe, expect, it } from 'vitest';
import { demoIds } from '@supergraph/service-kit';
import { sql } from '../support/db.ts';
import { codes, gql } from '../support/graphql.ts';
import { operation } from '../support/operations.ts';

/** ProductPage joins four subgraphs; every field is checked against the owning database. */
describe('ProductPage through the gateway', () => {
  it.each([0, 7, 123])('returns seeded product %i with correct fields from products, inventory, reviews and users', async (index) => {
    const id = demoIds.product(index);
    const response = await gql(operation('ProductPage'), { id });
    expect(response.errors).toBeUndefined();
    const product = response.data!.product;

    const [row] = await sql('products', `SELECT p.*, c.name AS category_name, c.slug FROM products p JOIN categories c ON c.id = p.category_id WHERE p.id = $1`, [id]);
    expect(product).toMatchObject({
      id,
      sku: row!.sku,
      name: row!.name,
      description: row!.description,
      price: { amountCents: row!.price_cents, currency: 'USD' },
      category: { id: row!.category_id, name: row!.category_name, slug: row!.slug },
    });

    const [stock] = await sql('inventory', 'SELECT available FROM stock_levels WHERE product_id = $1', [id]);
    expect(product.stock).toBe(stock?.available ?? 0);
    expect(product.inStock).toBe((stock?.available ?? 0) > 0);
    // Inventory's rule, from the price and weight that products owns (@requires).
    const expectedShipping = row!.price_cents >= 5000 ? 0 : 499 + 150 * Math.ceil(row!.weight_grams / 1000);
    expect(product.shippingEstimate).toEqual({ amountCents: expectedShipping, currency: 'USD' });

    const reviews = await sql('reviews', 'SELECT id, rating, body, author_id FROM reviews WHERE product_id = $1 ORDER BY created_at DESC, id DESC', [id]);
    expect(product.reviewCount).toBe(reviews.length);
    expect(reviews.length).toBeGreaterThan(0);
    const mean = reviews.reduce((sum, r) => sum + r.rating, 0) / reviews.length;
    expect(product.averageRating).toBeCloseTo(mean, 2);
    expect(product.reviews.map((r: { id: string }) => r.id)).toEqual(reviews.slice(0, 5).map((r) => r.id));
    expect(product.reviews.length).toBe(Math.min(5, reviews.length));

    const authorIds = product.reviews.map((r: { author: { id: string } }) => r.author.id);
    const authors = await sql('users', 'SELECT id, name FROM users WHERE id = ANY($1)', [authorIds]);
    for (const review of product.reviews) {
      expect(review.author.name).toBe(authors.find((a) => a.id === review.author.id)!.name);
      expect(new Date(review.createdAt).toString()).not.toBe('Invalid Date');
    }
  });

  it('answers an unknown product with null and NOT_FOUND, never a 500', async () => {
    const response = await gql(operation('ProductPage'), { id: 'no-such-product' });
    expect(response.status).toBe(200);
    expect(response.data?.product ?? null).toBeNull();
    expect(codes(response)).toEqual(['NOT_FOUND']);
  });

  it('returns the same data on every seeded run (deterministic seed)', async () => {
    const [row] = await sql('products', 'SELECT sku, name FROM products WHERE id = $1', [demoIds.product(0)]);
    expect(row).toEqual({ sku: 'SKU-0000001', name: expect.stringMatching(/ 1$/) });
  });
});
