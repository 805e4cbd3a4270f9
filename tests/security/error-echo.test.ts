import { describe, expect, it } from 'vitest';
import { stack } from '../support/graphql.ts';
import { operation } from '../support/operations.ts';

/**
 * A 900 KB id was echoed back in the error (1.8 MB: graphql-js quotes the value twice). No error
 * message, from the gateway or a subgraph, echoes unbounded input: the answer stays small and
 * carries a documented code.
 */
const HUGE = 'x'.repeat(900_000);
const MAX_RESPONSE_BYTES = 4_096;

async function post(url: string, query: string, variables: Record<string, unknown>) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const text = await response.text();
  return { status: response.status, bytes: Buffer.byteLength(text), body: JSON.parse(text) as { errors?: Array<{ message: string; extensions?: { code?: string } }> } };
}

describe('errors never echo unbounded input', () => {
  it.each([
    ['a 900 KB id that matches nothing (ProductPage)', operation('ProductPage'), { id: HUGE }, 'NOT_FOUND'],
    ['a 900 KB string where an Int goes (Catalog first)', operation('Catalog'), { first: HUGE }, 'BAD_USER_INPUT'],
    ['a 900 KB value inside an object where an ID goes', operation('ProductPage'), { id: { value: HUGE } }, 'BAD_USER_INPUT'],
  ])('%s: a small answer with a documented code', async (_, query, variables, code) => {
    const response = await post(stack().gatewayUrl, query, variables);
    expect(response.bytes).toBeLessThan(MAX_RESPONSE_BYTES);
    expect(response.body.errors?.map((e) => e.extensions?.code)).toContain(code);
    expect(response.body.errors![0]!.message).toMatch(/shortened|…/);
  });

  it('a subgraph asked directly bounds its messages too (the service kit)', async () => {
    const response = await post(stack().subgraphs.products.url, 'query($id: ID!) { product(id: $id) { id } }', { id: HUGE });
    expect(response.bytes).toBeLessThan(MAX_RESPONSE_BYTES);
    expect(response.body.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
  });
});
