// Runs a built entry of scripts/build.ts (`npm start`'s launcher, the registry CLI) with plain
// Node, a tenth of a second instead of a second or more through a TypeScript loader. Plain
// JavaScript so that it needs no loader itself. A stale build never runs silently: when the built
// file is missing or older than any source it was built from (the list the build writes beside
// it), that target is rebuilt first (scripts/build.ts --only <target>, a second or two).
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * True when a built entry (absolute path) is missing or older than one of the sources it was built
 * from (the `.inputs.json` scripts/build.ts writes beside it, paths relative to `root`).
 */
export function isStale(outfile, root) {
  try {
    const builtAt = statSync(outfile).mtimeMs;
    const { inputs } = JSON.parse(readFileSync(outfile.replace(/\.js$/, '.inputs.json'), 'utf8'));
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

/** Imports `outfile` (relative to the repository root), built as build target `target`. */
export async function runBuilt(target, outfile) {
  const path = join(root, outfile);
  if (isStale(path, root)) {
    execFileSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'build.ts'), '--only', target], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  await import(pathToFileURL(path).href);
}
