import { persistedOperations } from '@supergraph/sdk/persisted-lists';

/**
 * The public client operations by name, as the gateway runs them: the SDK's persisted documents
 * (frontend-sdk/operations, printed by codegen), so that sha256 of a text here is the id clients
 * send. Tests, benchmarks and scripts read them from here; a clone needs nothing beside it.
 */
export function storefrontOperations(): Record<string, string> {
  return Object.fromEntries(persistedOperations.map((o) => [o.name, o.body]));
}
