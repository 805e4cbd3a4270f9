import { describe, expect, it } from 'vitest';
import type { Fetcher, FetcherRequestInit } from '@apollo/utils.fetcher';
import { dedupeRepresentations, expandEntities } from './representations.ts';
import { SubgraphDataSource } from './subgraph-data-source.ts';
import { subgraphResponse } from './subgraph-response.ts';
import type { GatewayContext } from './context.ts';

const category = (id: string) => ({ __typename: 'Category', id });

describe('representations deduplicated within an entity fetch', () => {
  it('sends each distinct representation once and maps every occurrence to its copy', () => {
    const { unique, uniqueIndex } = dedupeRepresentations([category('a'), category('b'), category('a'), category('a'), category('c')]);
    expect(unique).toEqual([category('a'), category('b'), category('c')]);
    expect(uniqueIndex).toEqual([0, 1, 0, 0, 2]);
  });

  it('expands the answer back to one entity per occurrence, errors repeated at each occurrence', () => {
    const expanded = expandEntities(
      {
        data: { _entities: [{ name: 'A' }, null, { name: 'C' }] },
        errors: [{ message: 'b failed', path: ['_entities', 1, 'name'] }, { message: 'whole fetch' }],
      },
      [0, 1, 0, 1, 2],
    );
    expect(expanded.data?._entities).toEqual([{ name: 'A' }, null, { name: 'A' }, null, { name: 'C' }]);
    expect(expanded.errors).toEqual([
      { message: 'b failed', path: ['_entities', 1, 'name'] },
      { message: 'b failed', path: ['_entities', 3, 'name'] },
      { message: 'whole fetch' },
    ]);
  });
});

describe('SubgraphDataSource', () => {
  const answering = (entities: (body: { variables: { representations: Array<{ id: string }> } }) => unknown[]) => {
    const sent: Array<{ body: { variables: { representations: Array<{ id: string }> } }; headers: Record<string, string> }> = [];
    const fetcher: Fetcher = async (url: string, init?: FetcherRequestInit) => {
      const body = JSON.parse(String(init!.body));
      sent.push({ body, headers: init!.headers! });
      return subgraphResponse(url, { status: 200, headers: { 'content-type': 'application/json', 'cache-control': 'max-age=30, public' }, text: JSON.stringify({ data: { _entities: entities(body) } }) });
    };
    return { sent, source: new SubgraphDataSource({ subgraph: 'products', url: 'http://products.test/graphql', fetcher }) };
  };
  const incoming = (operation: 'query' | 'mutation', representations: unknown[], restrict: (hint: unknown) => void = () => {}) => ({
    kind: 'incoming operation' as never,
    request: { query: 'query($representations:[_Any!]!){_entities(representations:$representations){...on Category{name}}}', variables: { representations } },
    context: { viewer: null, identityToken: async () => null, requestId: 'r1', clientIp: '127.0.0.1' } satisfies GatewayContext,
    incomingRequestContext: { operation: { operation }, overallCachePolicy: { restrict } } as never,
  });

  it('asks the subgraph for each distinct entity once and answers every occurrence', async () => {
    const { sent, source } = answering((body) => body.variables.representations.map((r) => ({ name: r.id.toUpperCase() })));
    const result = await source.process(incoming('query', [category('a'), category('b'), category('a')]));
    expect(sent[0]!.body.variables.representations).toEqual([category('a'), category('b')]);
    expect(result.data?._entities).toEqual([{ name: 'A' }, { name: 'B' }, { name: 'A' }]);
  });

  it('marks only the fetches of queries as shareable, by identity', async () => {
    const { sent, source } = answering((body) => body.variables.representations.map(() => ({ name: 'x' })));
    await source.process(incoming('query', [category('a')]));
    await source.process(incoming('mutation', [category('a')]));
    expect(sent[0]!.headers['x-gateway-sharing-scope']).toBe('anonymous');
    expect(sent[1]!.headers['x-gateway-sharing-scope']).toBeUndefined();
  });

  it("narrows the request's cache policy by the subgraph's Cache-Control", async () => {
    const hints: unknown[] = [];
    const { source } = answering(() => [{ name: 'x' }]);
    await source.process(incoming('query', [category('a')], (hint) => hints.push(hint)));
    expect(hints).toEqual([{ maxAge: 30, scope: 'PUBLIC' }]);
  });
});

