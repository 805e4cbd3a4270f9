// The persisted operation lists, as codegen writes them (src/generated/persisted-documents.json:
// sha256 id -> the exact text the gateway runs). The storefront list is every SDK operation; a
// partner list is a named subset of the same documents, so one id means one text everywhere.
// Server-side only (the gateway's default lists, registration in the schema registry): the
// client never needs the texts, it sends ids.
import { parse, type OperationDefinitionNode } from 'graphql';
import generated from './generated/persisted-documents.json' with { type: 'json' };

/** Which SDK operations each client's list holds. */
export const PERSISTED_LIST_CLIENTS: Readonly<Record<string, 'all' | readonly string[]>> = {
  storefront: 'all',
  'partner-catalog': ['ProductPage', 'Catalog', 'Categories'],
};

export interface PersistedOperation {
  id: string;
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  body: string;
}

/** Apollo's persisted query manifest format, which the schema registry stores per client. */
export interface PersistedQueryManifest {
  format: 'apollo-persisted-query-manifest';
  version: 1;
  operations: PersistedOperation[];
}

/** Every SDK operation: codegen's "sha256:<hex>" keys become the bare hex ids clients send. */
export const persistedOperations: readonly PersistedOperation[] = Object.entries(generated as Record<string, string>).map(([key, body]) => {
  const operation = parse(body).definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
  if (!operation?.name) throw new Error(`persisted document ${key} has no named operation`);
  return { id: key.replace(/^sha256:/, ''), name: operation.name.value, type: operation.operation, body };
});

export function persistedList(client: string): PersistedQueryManifest {
  const names = PERSISTED_LIST_CLIENTS[client];
  if (!names) throw new Error(`no persisted list for client ${client}`);
  const operations = persistedOperations.filter((o) => names === 'all' || names.includes(o.name));
  const missing = names === 'all' ? [] : names.filter((n) => !operations.some((o) => o.name === n));
  if (missing.length > 0) throw new Error(`${client} lists operations the SDK does not have: ${missing.join(', ')}`);
  return { format: 'apollo-persisted-query-manifest', version: 1, operations };
}

/** Every list, as client -> operation id -> text (what the gateway serves without a registry). */
export function persistedLists(): Map<string, Map<string, string>> {
  return new Map(Object.keys(PERSISTED_LIST_CLIENTS).map((client) => [client, new Map(persistedList(client).operations.map((o) => [o.id, o.body]))]));
}
