// A service's built entry (`<service>/dist/index.js`): runs the CommonJS bundle beside it through
// V8's code cache (scripts/code-cache.ts). The build bundles this file once per service, defining
// the bundle's file name (which carries its content hash).
import { fileURLToPath } from 'node:url';
import { runBundle } from './code-cache.ts';

declare const __CODE_CACHE_BUNDLE__: string;

runBundle(fileURLToPath(new URL(`./${__CODE_CACHE_BUNDLE__}`, import.meta.url)));
