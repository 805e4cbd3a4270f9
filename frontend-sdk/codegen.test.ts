import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import { composeSupergraph, readSupergraphConfig } from '@supergraph/composition';
import codegenConfig from './codegen.ts';
import { repoPath } from '../scripts/paths.ts';

describe('the generated SDK', () => {
  it('is built on the API schema the subgraphs compose to (run `npm run compose`)', async () => {
    const result = composeSupergraph(await readSupergraphConfig(repoPath('supergraph.yaml')));
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(await readFile(repoPath('frontend-sdk', 'schema.graphql'), 'utf8')).toBe(result.apiSchemaSdl);
  });

  it('is what codegen makes of that schema and the operations (run `npm run codegen`)', async () => {
    const outputs = await generate({ ...codegenConfig, silent: true }, false);
    expect(outputs.map((o: { filename: string }) => relative(repoPath(), o.filename)).sort()).toEqual(
      ['gql.ts', 'graphql.ts', 'index.ts', 'persisted-documents.json'].map((f) => `frontend-sdk/src/generated/${f}`),
    );
    for (const output of outputs) {
      expect(await readFile(output.filename, 'utf8'), relative(repoPath(), output.filename)).toBe(output.content);
    }
  });
});
