import { GraphQLError } from 'graphql';
import { SERVICE_OVERLOADED } from './admission.ts';
import { IDENTITY_HEADER, serviceIdentityToken } from './identity.ts';

/**
 * An explicit internal call from one subgraph to another (ARCHITECTURE.md: subgraphs never read
 * each other's tables). It asks the owning subgraph's `_entities` for the given ids and returns
 * what exists, keyed by id. Used sparingly, for checks a mutation cannot do from its own data,
 * such as "does this product exist" before a review is stored.
 */
export interface EntityClientOptions {
  url: string;
  internalTokenSecret: string;
  timeoutMs?: number;
  /** The calling service's name, as the other subgraph sees it (a SERVICE identity). */
  callerName: string;
  /** The called subgraph's name: the identity token is minted for it alone. */
  target: string;
}

export class EntityClientError extends Error {
  override name = 'EntityClientError';
}

export function createEntityClient(options: EntityClientOptions) {
  return {
    async fetchEntities<T extends { id: string }>(typename: string, ids: readonly string[], selection: string): Promise<Map<string, T>> {
      if (ids.length === 0) return new Map();
      const query = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on ${typename} { ${selection} } } }`;
      const response = await fetch(options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [IDENTITY_HEADER]: await serviceIdentityToken(options.callerName, options.target, options.internalTokenSecret),
        },
        body: JSON.stringify({ query, variables: { representations: ids.map((id) => ({ __typename: typename, id })) } }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
      });
      const body = (await response.json().catch(() => null)) as { data?: { _entities?: Array<T | null> }; errors?: Array<{ extensions?: { code?: unknown } }> } | null;
      if (response.status === 503 && body?.errors?.[0]?.extensions?.code === SERVICE_OVERLOADED) {
        // The other subgraph is busy (its admission control): the caller's request is refused the
        // same way, retryably, rather than failing as an internal error (ADR 0012).
        const retryAfterSeconds = Math.min(Math.max(Number(response.headers.get('retry-after')) || 1, 1), 3_600);
        throw new GraphQLError(`The ${options.target} service is busy; retry in ${retryAfterSeconds} s`, {
          extensions: { code: SERVICE_OVERLOADED, retryable: true, retryAfterSeconds },
        });
      }
      if (!response.ok || !body?.data?._entities) {
        throw new EntityClientError(`${typename} look-up at ${options.url} failed with HTTP ${response.status}`);
      }
      const found = new Map<string, T>();
      for (const entity of body.data._entities) if (entity) found.set(entity.id, entity);
      return found;
    },
  };
}
export type EntityClient = ReturnType<typeof createEntityClient>;
