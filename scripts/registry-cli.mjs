// `npm run registry -- <command>`: runs the built registry CLI (schema-registry/dist/cli.js), a
// tenth of a second instead of a second or more through a TypeScript loader. Plain JavaScript so
// that it needs no loader itself. A stale build never runs silently: when the built file is
// missing or older than any source it was built from (the list the build writes beside it), it is
// rebuilt first (scripts/build.ts --only registry-cli, about a second).
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'schema-registry', 'dist', 'cli.js');

function isStale() {
  try {
    const builtAt = statSync(cli).mtimeMs;
    const { inputs } = JSON.parse(readFileSync(join(root, 'schema-registry', 'dist', 'cli.inputs.json'), 'utf8'));
    return inputs.some((input) => {
      try {
        return statSync(join(root, input)).mtimeMs > builtAt;
      } catch {
        return true;
      }
    });
  } catch {
    return true;
  }
}

if (isStale()) {
  execFileSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'build.ts'), '--only', 'registry-cli'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
await import(pathToFileURL(cli).href);
