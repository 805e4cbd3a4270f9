// `npm run codegen`: typed documents and the persisted-documents manifest, generated from the
// supergraph's API schema (frontend-sdk/schema.graphql, written by `npm run compose`) and the
// public operations (frontend-sdk/operations). tests/sdk/codegen.test.ts fails when the committed
// output is stale, as tests/supergraph.test.ts does for the supergraph.
import type { CodegenConfig } from '@graphql-codegen/cli';

const sdk = (path: string) => new URL(path, import.meta.url).pathname;

const config: CodegenConfig = {
  schema: sdk('schema.graphql'),
  documents: [sdk('operations/*.graphql')],
  ignoreNoDocuments: false,
  generates: {
    [sdk('src/generated/')]: {
      preset: 'client',
      presetConfig: {
        // The storefront's persisted list: sha256 ids over codegen's normalised print, the same
        // text the gateway runs. Each document keeps its hash in __meta__ (sent instead of the text).
        persistedDocuments: { mode: 'embedHashInDocument', hashAlgorithm: 'sha256' },
        fragmentMasking: false,
      },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        // ESM with explicit extensions (Node's module resolution, Vite and esbuild all take them).
        emitLegacyCommonJSImports: false,
        scalars: { ID: 'string' },
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
      },
    },
  },
};

export default config;
