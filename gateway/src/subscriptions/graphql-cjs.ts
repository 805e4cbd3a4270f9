import { createRequire } from 'node:module';

/**
 * graphql as @apollo/gateway and graphql-ws load it (CommonJS). Schemas and errors must come
 * from one copy of graphql (it checks with instanceof); a bundler or test runner that resolves
 * `import 'graphql'` to its ES module build would make a second copy.
 */
const require = createRequire(import.meta.url);
export const graphql = require('graphql') as typeof import('graphql');
export const { getVariableValues } = require('graphql/execution/values.js') as typeof import('graphql/execution/values.js');
