// `npm run registry -- <command>`: runs the built registry CLI (schema-registry/dist/cli.js),
// rebuilt first when a source is newer than it (scripts/run-built.mjs).
import { runBuilt } from './run-built.mjs';

await runBuilt('registry-cli', 'schema-registry/dist/cli.js');
