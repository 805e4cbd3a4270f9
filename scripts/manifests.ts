// `npm run manifests`: the persisted operation lists (trusted documents) the gateway loads, in
// Apollo's manifest format, from the public operations (frontend-sdk/operations): every operation for the storefronts, and
// the read-only catalog operations for partners. A test fails when a committed list is stale.
import { writeFile } from 'node:fs/promises';
import { buildManifest, MANIFEST_CLIENTS } from '../gateway/src/persisted-operations/manifest.ts';
import { storefrontOperationsSource } from './operations.ts';
import { repoPath } from './paths.ts';

const contract = storefrontOperationsSource();
for (const [client, operations] of Object.entries(MANIFEST_CLIENTS)) {
  const file = repoPath('gateway', 'persisted-operations', `${client}.json`);
  await writeFile(file, `${JSON.stringify(buildManifest(contract, operations), null, 2)}\n`);
  console.log(`${file.slice(repoPath().length + 1)}: ${operations === 'all' ? 'every contract operation' : operations.join(', ')}`);
}
