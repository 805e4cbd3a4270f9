import { sha256, type OperationList } from '../store.ts';

/**
 * What gateways fetch: every client's current list in Apollo's persisted query manifest format,
 * with an ETag over the clients' list versions (a new version of any list changes it).
 */
export function operationListsDocument(lists: OperationList[]) {
  const etag = sha256(lists.map((l) => `${l.client}@${l.version}`).join(','));
  return {
    etag,
    body: {
      lists: Object.fromEntries(
        lists.map((l) => [l.client, { version: l.version, manifest: { format: 'apollo-persisted-query-manifest', version: 1, operations: l.operations } }]),
      ),
    },
  };
}
