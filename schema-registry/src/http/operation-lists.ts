import { sha256, type OperationList } from '../store.ts';

/** The ETag of the lists gateways fetch: changes whenever any client's list gets a new version. */
export const operationListsEtag = (versions: Array<{ client: string; version: number }>) => sha256(versions.map((l) => `${l.client}@${l.version}`).join(','));

/** What gateways fetch: every client's current list, in Apollo's persisted query manifest format. */
export function operationListsDocument(lists: OperationList[]) {
  return {
    lists: Object.fromEntries(
      lists.map((l) => [l.client, { version: l.version, manifest: { format: 'apollo-persisted-query-manifest', version: 1, operations: l.operations } }]),
    ),
  };
}
