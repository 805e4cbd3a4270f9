import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { IDENTITY_HEADER, REQUEST_ID_HEADER, injectTraceContext } from '@supergraph/service-kit';
import type { GatewayContext } from './context.ts';
import { dedupeRepresentations, expandEntities } from './representations.ts';
import { SHARING_SCOPE_HEADER } from './subgraph-fetcher.ts';

/**
 * How the gateway talks to one subgraph. Client headers are never forwarded: the only identity a
 * subgraph sees is the token the gateway minted after verifying the client's bearer token; the
 * request id and trace context go along so logs and traces join up.
 *
 * `process` is RemoteGraphQLDataSource's, rewritten for the hot path (ADR 0019): headers as a plain
 * object (no node-fetch `Headers` and `Request` per fetch), each distinct representation sent once,
 * and a sharing scope on the fetches of queries so identical ones in flight can share an answer.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  /** The subgraph's name, the audience of the identity tokens sent to it. */
  readonly subgraph: string;

  constructor({ subgraph, ...config }: { subgraph: string } & NonNullable<ConstructorParameters<typeof RemoteGraphQLDataSource<GatewayContext>>[0]>) {
    super(config);
    this.subgraph = subgraph;
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const { request } = options;
    if (!request.query) throw new Error('Missing query');
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if ('incomingRequestContext' in options && typeof options.context?.identityToken === 'function') {
      const context = options.context;
      headers[REQUEST_ID_HEADER] = context.requestId;
      injectTraceContext({ set: (name, value) => (headers[name] = value) }); // the active span is @apollo/gateway's fetch span
      const token = await context.identityToken(this.subgraph);
      if (token) headers[IDENTITY_HEADER] = token;
      // Only the reads of a query may share an in-flight fetch: a mutation's own reads must see
      // its writes, and a mutation is never sent twice for one request anyway.
      if (options.incomingRequestContext.operation?.operation === 'query') {
        headers[SHARING_SCOPE_HEADER] = context.viewer ? `${context.viewer.role}:${context.viewer.id}` : 'anonymous';
      }
    }

    const representations = request.variables?.representations;
    const deduped = Array.isArray(representations) && representations.length > 1 ? dedupeRepresentations(representations) : null;
    const variables = deduped && deduped.unique.length < representations.length ? { ...request.variables, representations: deduped.unique } : request.variables;
    const response = await this.fetcher(this.url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: request.query, operationName: request.operationName, variables, extensions: request.extensions }),
    });
    const body = await this.parseBody(response);
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Error(`Expected JSON response body, but received: ${String(body)}`);
    let result: GatewayGraphQLResponse = { ...(body as GatewayGraphQLResponse), http: response };
    if (deduped && variables !== request.variables) result = expandEntities(result, deduped.uniqueIndex);

    // The subgraph's Cache-Control narrows the response's cache policy, as RemoteGraphQLDataSource does.
    if ('incomingRequestContext' in options) {
      const policy = options.incomingRequestContext.overallCachePolicy;
      if (policy && 'restrict' in policy) policy.restrict(cacheHint(response.headers.get('cache-control')));
    }
    return result;
  }
}

/** A subgraph's Cache-Control as a cache hint: max-age (0 when absent) and scope. */
export function cacheHint(header: string | null): { maxAge: number; scope?: 'PUBLIC' | 'PRIVATE' } {
  const hint: { maxAge: number; scope?: 'PUBLIC' | 'PRIVATE' } = { maxAge: 0 };
  for (const directive of (header ?? '').split(',')) {
    const [name, value] = directive.trim().toLowerCase().split('=');
    if (name === 'max-age' && value && /^[0-9]+$/.test(value)) hint.maxAge = Number(value);
    else if (name === 'private') hint.scope = 'PRIVATE';
    else if (name === 'public') hint.scope = 'PUBLIC';
  }
  return hint;
}
