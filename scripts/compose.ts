// `npm run compose`: supergraph.yaml -> supergraph.graphql (what the gateway loads by default) and
// its API schema -> frontend-sdk/schema.graphql (what clients see; the SDK is generated against it).
import { writeFile } from 'node:fs/promises';
import { composeSupergraph, readSupergraphConfig } from '@supergraph/composition';
import { repoPath } from './paths.ts';

const result = composeSupergraph(await readSupergraphConfig(repoPath('supergraph.yaml')));
if (!result.ok) {
  console.error(`Composition failed:\n${result.errors.map((e) => `  - ${e}`).join('\n')}`);
  process.exit(1);
}
await writeFile(repoPath('supergraph.graphql'), result.supergraphSdl);
await writeFile(repoPath('frontend-sdk', 'schema.graphql'), result.apiSchemaSdl);
console.log(`supergraph.graphql and frontend-sdk/schema.graphql written (${result.hints.length} composition hints); run \`npm run codegen\` next`);
