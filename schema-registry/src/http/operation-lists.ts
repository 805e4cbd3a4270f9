import { sha256, type OperationList } from '../store.ts';

/**
 * The ETag of what gateways fetch: changes whenever any client's list gets a new version, or a
 * partner key is created or revoked (the set of active key ids changes).
 */
export const operationListsEtag = (versions: Array<{ client: string; version: number }>, activeKeyIds: number[]) =>
  sha256(`${versions.map((l) => `${l.client}@${l.version}`).join(',')};keys=${activeKeyIds.join(',')}`);

/**
 * What gateways fetch: every client's current list, in Apollo's persisted query manifest format,
 * and the active partner API keys as sha256 digests (never the keys).
 */
export function operationListsDocument(lists: OperationList[], partnerKeys: Array<{ client: string; keyHash: string }>) {
  return {
    lists: Object.fromEntries(
      lists.map((l) => [l.client, { version: l.version, manifest: { format: 'apollo-persisted-query-manifest', version: 1, operations: l.operations } }]),
    ),
    partnerKeys: partnerKeys.map((k) => ({ client: k.client, sha256: k.keyHash })),
  };
}
