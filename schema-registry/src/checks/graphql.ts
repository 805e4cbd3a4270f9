import { createRequire } from 'node:module';

/**
 * graphql-js as Node's require() loads it: the copy @graphql-inspector/core and Apollo's
 * federation packages use. Importing 'graphql' can load its ESM build instead (Vite and Vitest
 * follow the "module" field), and graphql-js refuses schemas built by "another realm". Every
 * schema the checks build and read comes from here.
 */
export const graphql = createRequire(import.meta.url)('graphql') as typeof import('graphql');
