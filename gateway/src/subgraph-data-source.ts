import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { IDENTITY_HEADER, REQUEST_ID_HEADER, injectTraceContext } from '@supergraph/service-kit';
import type { GatewayContext } from './context.ts';

/**
 * How the gateway talks to one subgraph. Client headers are never forwarded: the only identity a
 * subgraph sees is the token the gateway minted after verifying the client's bearer token; the
 * request id and trace context go along so logs and traces join up.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  /** The subgraph's name, the audience of the identity tokens sent to it. */
  readonly subgraph: string;

  constructor({ subgraph, ...config }: { subgraph: string } & NonNullable<ConstructorParameters<typeof RemoteGraphQLDataSource<GatewayContext>>[0]>) {
    super(config);
    this.subgraph = subgraph;
  }

  override async willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const headers = options.request.http?.headers;
    if (!headers) return;
    headers.delete(IDENTITY_HEADER);
    if (!('context' in options) || !options.context?.identityToken) return;
    headers.set(REQUEST_ID_HEADER, options.context.requestId);
    injectTraceContext(headers); // the active span here is @apollo/gateway's fetch span
    const token = await options.context.identityToken(this.subgraph);
    if (token) headers.set(IDENTITY_HEADER, token);
  }
}
