// `npm run build`: every service compiled to plain JavaScript, run with `node <dist entry>` (no
// TypeScript loader at run time, in production or under `npm start`).
//
// One bundle per entry, with its node_modules packages in it (ADR 0015): loading one file is a
// third faster than resolving and compiling the 1,700 files a gateway imports. The long-running
// services' bundles are CommonJS, run through V8's code cache (`codeCache`); the others are ES
// modules. The
// packages that find files of their own at run time (PGlite's WebAssembly and data, Prisma's
// query compiler) stay external and are imported from node_modules. Files a service reads by a
// path relative to its module keep working because dist/ sits at the same depth as src/
// (`../prisma/migrations`, the gateway's `../persisted-operations`); a subgraph's
// `schema.graphql`, read next to its module, is copied into dist/.
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { repoPath, repoRoot } from './paths.ts';
import { isStale } from './run-built.mjs';
import { SUBGRAPH_NAMES } from './services.ts';

export interface BuildTarget {
  /** What it is, for messages and `--only`. */
  name: string;
  /** Source entry, relative to the repository root. */
  entry: string;
  /** Output file, relative to the repository root. */
  outfile: string;
  /** Files copied next to the output (read at run time relative to the module). */
  copy?: { from: string; to: string }[];
  /**
   * Every bundled source keeps its own `import.meta.url` (its file, found from the bundle's): for
   * an entry whose sources find files relative to themselves from other folders than src/. The
   * bundle is then one file (no chunks, which sit in another folder).
   */
  sourceModuleUrls?: boolean;
  /** Packages bundled as another module (esbuild's `alias`): stand-ins for code the target never runs. */
  alias?: Record<string, string>;
  /**
   * A long-running service: bundled as one CommonJS file named after its content
   * (`index-<hash>.cjs`, CODE_CACHE_BUNDLE_OPTIONS), and its entry (`outfile`) runs that through
   * V8's code cache (scripts/code-cache.ts), so a second start compiles far less. Its sources'
   * `import.meta.url` is the bundle's URL, as in an ES module bundle.
   */
  codeCache?: boolean;
}

export const BUILD_TARGETS: readonly BuildTarget[] = [
  {
    name: 'gateway',
    entry: 'gateway/src/index.ts',
    outfile: 'gateway/dist/index.js',
    codeCache: true,
    alias: { 'node-fetch': './gateway/src/shims/node-fetch.ts', 'make-fetch-happen': './gateway/src/shims/make-fetch-happen.ts' },
  },
  { name: 'registry', entry: 'schema-registry/src/index.ts', outfile: 'schema-registry/dist/index.js', codeCache: true },
  { name: 'registry-cli', entry: 'schema-registry/src/cli/main.ts', outfile: 'schema-registry/dist/cli.js' },
  // `npm start`'s embedded databases, one process for all (ADR 0015).
  { name: 'embedded-databases', entry: 'scripts/embedded-databases.ts', outfile: 'scripts/dist/embedded-databases.js' },
  // `npm start` itself (scripts/start.mjs runs it).
  { name: 'launcher', entry: 'scripts/start.ts', outfile: 'scripts/dist/start.js', sourceModuleUrls: true },
  ...SUBGRAPH_NAMES.map((name) => ({
    name,
    entry: `subgraphs/${name}/src/index.ts`,
    outfile: `subgraphs/${name}/dist/index.js`,
    codeCache: true,
    copy: [{ from: `subgraphs/${name}/src/schema.graphql`, to: `subgraphs/${name}/dist/schema.graphql` }],
  })),
];

/** Where a built entry is; what `npm start`, the tests and the images run. */
export const distEntry = (name: string): string => {
  const target = BUILD_TARGETS.find((t) => t.name === name);
  if (!target) throw new Error(`no build target ${name}`);
  return repoPath(target.outfile);
};

/**
 * Packages left out of the bundles, imported from node_modules at run time: they locate files of
 * their own beside their modules (PGlite's WebAssembly and data files, Prisma's query compiler),
 * are optional native add-ons that other packages try to load and do without (pg-native,
 * bufferutil, utf-8-validate), or must be one copy with what our sources load through require()
 * (graphql: see gateway/src/subscriptions/graphql-cjs.ts; it checks schemas with instanceof), or
 * run a binary of their own (esbuild, which the launcher builds with).
 */
export const RUN_TIME_PACKAGES = ['@electric-sql/pglite', '@electric-sql/pglite-socket', '@prisma/client', 'pg-native', 'bufferutil', 'utf-8-validate', 'graphql', 'esbuild'] as const;

const packageName = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

/**
 * Bare imports of `runTime` packages stay external; every other package is bundled. An external
 * import is resolved again at run time, from the bundle's folder, not from the source that wrote
 * it. Where npm installed two versions of a package (one hoisted for another dependency, the
 * declared one nested under packages/service-kit), the bundle would silently load the other one:
 * sources tested against one version, services running another. So every external import must
 * resolve to the same file from both places, or the build fails and says which package to pin
 * (ADR 0022).
 */
export function externalPackages(outdir: string, runTime: readonly string[] = RUN_TIME_PACKAGES): esbuild.Plugin {
  return {
    name: 'external-node-modules',
    setup(build) {
      const shown = (path: string) => relative(build.initialOptions.absWorkingDir ?? repoRoot, path);
      // Resolution starts in an existing folder only.
      build.onStart(() => mkdir(outdir, { recursive: true }).then(() => undefined));
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.path.startsWith('@supergraph/') || args.pluginData === 'resolving-external') return undefined;
        if (args.path.startsWith('node:')) return { path: args.path, external: true };
        if (!runTime.includes(packageName(args.path))) return undefined;
        const from = (resolveDir: string, kind: esbuild.ImportKind) => build.resolve(args.path, { kind, resolveDir, pluginData: 'resolving-external' });
        // A CommonJS bundle require()s every external, its import() included (CODE_CACHE_BUNDLE_OPTIONS).
        const runTimeKind = build.initialOptions.format === 'cjs' ? 'require-call' : args.kind;
        const [inSources, atRunTime] = await Promise.all([from(args.resolveDir, args.kind), from(outdir, runTimeKind)]);
        // The same installed package, not always the same file: a CommonJS bundle may load a
        // package's CommonJS build (PGlite ships one) where the sources import its ES module build.
        const installedAt = (path: string) => {
          const marker = `node_modules/${packageName(args.path)}/`;
          return path.includes(marker) ? path.slice(0, path.lastIndexOf(marker) + marker.length) : path;
        };
        if (inSources.errors.length === 0 && (atRunTime.errors.length > 0 || installedAt(inSources.path) !== installedAt(atRunTime.path))) {
          return {
            errors: [
              {
                text:
                  `${args.path} would load a different copy at run time (${atRunTime.path ? shown(atRunTime.path) : 'none'}) ` +
                  `than the sources import (${shown(inSources.path)}): pin the sources' version in the root package.json's dependencies so npm hoists it`,
              },
            ],
          };
        }
        return { path: args.path, external: true };
      });
    },
  };
}

/**
 * Prisma's generated clients import the query compiler's WebAssembly as a 4.5 MB ES module holding
 * it in one base64 string (`@prisma/client/runtime/*.wasm-base64.mjs`), which Node compiles again
 * at every start of every service, outside our code cache: about 50 ms of CPU each here. The
 * bundle reads the same string from a text file written beside it (a few ms), only when the
 * client first needs its compiler, as before.
 */
export function prismaWasmFromFile(outdir: string): esbuild.Plugin {
  return {
    name: 'prisma-wasm-from-file',
    setup(build) {
      build.onResolve({ filter: /^@prisma\/client\/runtime\/[^/]+\.wasm-base64\.mjs$/ }, async (args) => {
        if (args.pluginData === 'resolving-external') return undefined;
        const found = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'resolving-external' });
        return found.errors.length > 0 ? { errors: found.errors } : { path: found.path, namespace: 'prisma-wasm-file' };
      });
      build.onLoad({ filter: /./, namespace: 'prisma-wasm-file' }, async (args) => {
        const base64 = /\bconst wasm = "([A-Za-z0-9+/=]+)"/.exec(await readFile(args.path, 'utf8'))?.[1];
        if (!base64) return { errors: [{ text: `${args.path} no longer holds \`const wasm = "<base64>"\`: prismaWasmFromFile (scripts/build.ts) needs updating for this Prisma` }] };
        const fileName = basename(args.path).replace(/\.mjs$/, '.txt');
        await writeAtomically(join(outdir, fileName), base64);
        return { contents: `import { readFileSync } from 'node:fs';\nexport const wasm = readFileSync(new URL('./${fileName}', import.meta.url), 'latin1');\n`, loader: 'js', resolveDir: outdir };
      });
    },
  };
}

/**
 * `import.meta.url` in each of our sources becomes that source's own URL, computed from the
 * bundle's at run time (so the checkout may move): `new URL('../paths.ts', import.meta.url)`.
 */
function sourceModuleUrls(outfile: string): esbuild.Plugin {
  return {
    name: 'source-module-urls',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.path.split('/').includes('node_modules')) return undefined;
        const source = await readFile(args.path, 'utf8');
        if (!source.includes('import.meta.url')) return undefined;
        // esbuild's define replaces the expression, never the text of a string or comment.
        const { code } = await esbuild.transform(source, { loader: 'ts', format: 'esm', sourcefile: args.path, sourcemap: 'inline', define: { 'import.meta.url': '__sourceModuleUrl' } });
        // On the first line, so that the transform's inline source map still lines up.
        const own = `const __sourceModuleUrl = new URL(${JSON.stringify(relative(dirname(outfile), args.path))}, import.meta.url).href;`;
        return { contents: own + code, loader: 'js' };
      });
    },
  };
}

/**
 * Beside each bundle, the list of the source files it was built from: a launcher that runs a
 * built file can tell cheaply whether a source changed since (`isStale`, scripts/run-built.mjs).
 * node_modules files are not listed: a change of packages is a change of package-lock.json,
 * which is, as is this build script.
 */
export const inputsFile = (outfile: string) => outfile.replace(/\.js$/, '.inputs.json');
const ALWAYS_INPUTS = ['package-lock.json', 'scripts/build.ts'];

/**
 * Builds the targets (all, or `only`) whose bundle is older than a source it was built from, or
 * every one of them with `force`. A bundle holds its packages, so building one takes a second or
 * more: what has not changed is not built again.
 */
export async function build(options: { only?: readonly string[]; force?: boolean; log?: (line: string) => void } = {}): Promise<{ ms: number; targets: string[] }> {
  const started = performance.now();
  const named = options.only ? BUILD_TARGETS.filter((t) => options.only!.includes(t.name)) : BUILD_TARGETS;
  if (named.length === 0) throw new Error(`no build target among ${options.only?.join(', ')}`);
  const stale = named.map((t) => options.force || isStale(repoPath(t.outfile), repoRoot));
  const targets = named.filter((_, i) => stale[i]);
  await Promise.all(
    targets.map(async (target) => {
      const outfile = repoPath(target.outfile);
      const outdir = dirname(outfile);
      await removeChunks(outdir, target.name);
      const entryName = basename(outfile, '.js');
      const result = await esbuild.build({
        entryPoints: [repoPath(target.entry)],
        outdir,
        absWorkingDir: repoRoot,
        bundle: true,
        platform: 'node',
        target: 'node20',
        sourcemap: 'linked',
        // Source paths in the map stay relative to the bundle, so stack traces name src/ files.
        sourcesContent: false,
        // The shared packages (packages/*) declare `"sideEffects": false`: a module whose exports a
        // service never uses is left out with its packages (the gateway does not load PGlite,
        // Prisma or @apollo/subgraph).
        // Before externalPackages, which would leave Prisma's module external.
        plugins: [prismaWasmFromFile(outdir), externalPackages(outdir), ...(target.sourceModuleUrls ? [sourceModuleUrls(outfile)] : [])],
        ...(target.alias ? { alias: target.alias } : {}),
        ...(target.codeCache
          ? { ...CODE_CACHE_BUNDLE_OPTIONS, entryNames: `${entryName}-[hash]` }
          : {
              format: 'esm',
              entryNames: entryName,
              // A dynamic import() of a bundled module becomes its own file, loaded only when reached
              // (the registry CLI loads the composition stack only for --config); not where sources keep
              // their own URLs, which are computed from the entry file's folder.
              splitting: !target.sourceModuleUrls,
              // A folder per target: a rebuilt target removes its own chunks only (the registry's
              // once took the registry CLI's too, whose names start the same).
              chunkNames: `chunks/${target.name}/[name]-[hash]`,
              // Bundled CommonJS packages call require() for Node's modules, which an ES module lacks.
              banner: { js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);" },
            }),
        // Whitespace and syntax only: names stay, so stack traces and profiles still read; with
        // --enable-source-maps (npm start, the images) they point at the sources.
        minifyWhitespace: true,
        minifySyntax: true,
        metafile: true,
        logLevel: 'warning',
        // Written below, each file atomically: a process starting meanwhile never reads half a bundle.
        write: false,
      });
      await Promise.all(result.outputFiles.map((file) => writeAtomically(file.path, file.contents)));
      if (target.codeCache) await writeCodeCacheEntry(outfile, result.outputFiles);
      for (const { from, to } of target.copy ?? []) await writeAtomically(repoPath(to), await readFile(repoPath(from)));
      const sources = Object.keys(result.metafile.inputs).filter((input) => !input.split('/').includes('node_modules'));
      const inputs = [...sources, ...(target.copy ?? []).map((c) => c.from), ...(target.codeCache ? CODE_CACHE_INPUTS : []), ...ALWAYS_INPUTS];
      await writeAtomically(inputsFile(outfile), `${JSON.stringify({ entry: target.entry, inputs }, null, 1)}\n`);
    }),
  );
  const ms = Math.round(performance.now() - started);
  const fresh = named.filter((_, i) => !stale[i]).map((t) => t.name);
  options.log?.(`built ${targets.map((t) => t.name).join(', ') || 'nothing'} in ${ms} ms${fresh.length ? ` (up to date: ${fresh.join(', ')})` : ''}`);
  return { ms, targets: targets.map((t) => t.name) };
}

async function writeAtomically(path: string, contents: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, contents);
  await rename(temporary, path);
}

/**
 * A code-cache target's bundle: one CommonJS file (scripts/code-cache.ts runs it), named after its
 * content by `entryNames` `<name>-[hash]`. Its first line is the banner alone: the runner's wrapper
 * goes on that line, so no mapped frame shifts. No `import()` is left in it: V8 cannot carry a
 * script's dynamic-import handler through its code cache (nodejs/node#43663, "Invalid host defined
 * options"), so import() becomes require(), which loads ES modules too since Node 20.19.
 */
export const CODE_CACHE_BUNDLE_OPTIONS = {
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  supported: { 'dynamic-import': false },
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: 'var __bundleUrl = require("node:url").pathToFileURL(__filename).href;' },
} as const satisfies esbuild.BuildOptions;

/** The runner every code-cache target's entry is built from (and what it imports). */
const CODE_CACHE_INPUTS = ['scripts/code-cache-entry.ts', 'scripts/code-cache.ts', 'packages/service-kit/src/source-maps.ts'];

/**
 * A code-cache target's entry (`dist/index.js`): the runner, told the bundle's file name. Written
 * after the bundle and before the previous build's files go, so that a process starting meanwhile
 * runs either build whole.
 */
async function writeCodeCacheEntry(outfile: string, outputs: esbuild.OutputFile[]): Promise<void> {
  const bundle = outputs.find((file) => file.path.endsWith('.cjs'));
  if (!bundle) throw new Error(`no CommonJS bundle among the outputs for ${outfile}`);
  const entry = await esbuild.build({
    entryPoints: [repoPath(CODE_CACHE_INPUTS[0]!)],
    absWorkingDir: repoRoot,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    define: { __CODE_CACHE_BUNDLE__: JSON.stringify(basename(bundle.path)) },
    banner: { js: `// Built by scripts/build.ts from ${CODE_CACHE_INPUTS[0]}: runs ${basename(bundle.path)} through V8's code cache.` },
    logLevel: 'warning',
    write: false,
  });
  await writeAtomically(outfile, entry.outputFiles[0]!.contents);
  // The previous builds' bundles, maps and caches (and the ES module bundle's map of before).
  const current = basename(bundle.path);
  const entryName = basename(outfile, '.js');
  const outdir = dirname(outfile);
  const stale = (await readdir(outdir)).filter(
    (name) => name === `${entryName}.js.map` || (name.startsWith(`${entryName}-`) && /\.cjs(\.map|\..*\.v8cache)?$/.test(name) && !name.startsWith(current)),
  );
  await Promise.all(stale.map((name) => rm(join(outdir, name), { force: true })));
}

async function removeChunks(outdir: string, targetName: string): Promise<void> {
  await rm(join(outdir, 'chunks', targetName), { recursive: true, force: true });
}

export async function clean(): Promise<void> {
  const dirs = new Set(BUILD_TARGETS.map((t) => dirname(repoPath(t.outfile))));
  await Promise.all([...dirs].map((dir) => rm(dir, { recursive: true, force: true })));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  // --clean: remove every bundle and build all of them again.
  const force = args.includes('--clean');
  if (force) await clean();
  const onlyIndex = args.indexOf('--only');
  const onlyArg = onlyIndex >= 0 ? args[onlyIndex + 1]?.split(',') : undefined;
  // `storefront` is the web storefront's Vite build (frontend-sdk/examples/storefront), after the services'.
  const only = onlyArg?.filter((name) => name !== 'storefront');
  const withStorefront = !onlyArg || onlyArg.includes('storefront');
  try {
    if (!only || only.length > 0) {
      await build({ only, force, log: console.log });
      for (const target of only ? BUILD_TARGETS.filter((t) => only.includes(t.name)) : BUILD_TARGETS) {
        console.log(`  ${relative(repoRoot, repoPath(target.outfile))}  <-  ${target.entry}`);
      }
    }
    if (withStorefront) {
      const { buildStorefront } = await import('../frontend-sdk/examples/storefront/build.ts');
      const { ms } = await buildStorefront({ quiet: true });
      console.log(`built storefront in ${ms} ms`);
    }
  } catch (error) {
    // esbuild has printed the errors with file and line already.
    console.error(`build failed: ${(error as Error).message.split('\n')[0]}`);
    process.exit(1);
  }
}
