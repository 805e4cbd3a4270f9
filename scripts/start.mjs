// `npm start`: runs the built launcher (scripts/start.ts, built to scripts/dist/start.js), rebuilt
// first when a source is newer than it (scripts/run-built.mjs). It then builds whatever else is
// stale and starts everything.
import { runBuilt } from './run-built.mjs';

await runBuilt('launcher', 'scripts/dist/start.js');
