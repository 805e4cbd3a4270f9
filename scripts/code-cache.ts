// Runs a service's CommonJS bundle through V8's code cache (ADR 0015): what V8 compiled while the
// service started is kept in a file, and the next start of the same bundle with the same Node and
// flags skips that compiling. Node 20 keeps no code cache of its own (Node 22's
// `module.enableCompileCache()` would replace this file) and none at all for ES modules, so the
// services are CommonJS bundles run here, through `vm.Script`'s `cachedData`.
//
// Each built entry (`<service>/dist/index.js`) is this module bundled with its bundle's file name
// (scripts/code-cache-entry.ts), which carries the bundle's content hash: V8 checks a cache against
// its source only by length, so the cache is named after that file, and a rebuilt bundle (a new
// file) never meets an older build's cache.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { Module, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import vm from 'node:vm';
import { offerSourceMaps } from '@supergraph/service-kit/source-maps';

/** The cache is written this long after the bundle started (most of its compiling is done by then), or at a clean exit if sooner. */
const WRITE_AFTER_MS = 10_000;

/**
 * The bundle's source map (2-4 MB) is read this long after it started, not before it runs: reading
 * it cost a service 50-120 ms of CPU at start (ADR 0015). A stack read sooner is still mapped when
 * whoever reads it asks first (sourceMapsNow; the services' logger does), and an uncaught
 * exception's is.
 */
const SOURCE_MAP_AFTER_MS = 3_000;

/** Where the cache is looked for, in order, and written: beside the bundle, else (a read-only image) the temporary folder. */
const cacheDirs = (bundle: string) => [dirname(bundle), join(tmpdir(), 'supergraph-code-cache')];

/** The compiled stub that carries the bundle's source map (kept reachable: Node holds it weakly). */
let sourceMapCarrier: Module | undefined;

type ModuleInternals = typeof Module & { _nodeModulePaths(dir: string): string[] };
type CompilingModule = Module & { _compile(content: string, filename: string): unknown };

function newModule(path: string): Module {
  const mod = new Module(path);
  mod.filename = path;
  mod.paths = (Module as ModuleInternals)._nodeModulePaths(dirname(path));
  return mod;
}

/**
 * Node maps stack frames through a file's source map only for files its own loaders compiled. A
 * one-line module compiled by the CommonJS loader under the bundle's file name, naming the map,
 * puts the map in Node's cache for that file name (with --enable-source-maps; a no-op without), so
 * frames of the bundle compiled below still point at the TypeScript sources.
 */
function registerSourceMap(bundle: string): void {
  const carrier = newModule(bundle) as CompilingModule;
  carrier._compile(`//# sourceMappingURL=${basename(bundle)}.map\n`, bundle);
  sourceMapCarrier = carrier;
}

/** The same bundle under another Node or other flags needs another cache (V8 would refuse it). */
function cacheFileName(bundle: string): string {
  const runtime = createHash('sha256').update(`${process.version} ${process.arch} ${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`).digest('hex').slice(0, 12);
  return `${basename(bundle)}.${runtime}.v8cache`;
}

function readFirst(paths: string[]): Buffer | undefined {
  for (const path of paths) {
    try {
      return readFileSync(path);
    } catch {
      // not there (or unreadable): the next folder
    }
  }
  return undefined;
}

/** Writes atomically (a process starting meanwhile never reads half a cache); false if the folder refuses. */
function writeAtomically(path: string, data: Buffer): boolean {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(temporary, data);
    renameSync(temporary, path);
    return true;
  } catch {
    try {
      rmSync(temporary, { force: true }); // a half-written file (a full disk) is not left behind
    } catch {
      // nothing more to do: the cache is only ever an optimisation
    }
    return false;
  }
}

/** Runs the CommonJS bundle at `bundle` (absolute; its name must change with its content, as the build's hash does). */
export function runBundle(bundle: string): void {
  const name = cacheFileName(bundle);
  const candidates = cacheDirs(bundle).map((dir) => join(dir, name));
  const cached = readFirst(candidates);

  let mapped = false;
  const mapNow = () => {
    if (mapped) return;
    mapped = true;
    registerSourceMap(bundle);
  };
  offerSourceMaps(mapNow);
  setTimeout(mapNow, SOURCE_MAP_AFTER_MS).unref();
  // Emitted before Node prints the error (and before 'uncaughtException' handlers run).
  process.once('uncaughtExceptionMonitor', mapNow);
  // Module.wrap puts the wrapper on the bundle's first line only; the build starts every bundle
  // with a line of its own (its banner), so no mapped frame is shifted. The bundle holds no
  // import() (scripts/build.ts, CODE_CACHE_BUNDLE_OPTIONS), so no dynamic-import handler is needed.
  const script = new vm.Script(Module.wrap(readFileSync(bundle, 'utf8')), { filename: bundle, ...(cached ? { cachedData: cached } : {}) });
  // None yet, or one V8 refused (another build of Node, a damaged file): write one.
  let done = cached !== undefined && !script.cachedDataRejected;
  const writeCache = () => {
    if (done) return;
    done = true;
    try {
      const data = script.createCachedData();
      candidates.find((path) => writeAtomically(path, data));
    } catch {
      // never fatal: a service without its cache only starts slower
    }
  };
  if (!done) {
    setTimeout(writeCache, WRITE_AFTER_MS).unref();
    // A clean exit only: a start that failed early would leave a cache of little of the code,
    // which later starts would accept and never replace.
    process.once('exit', (code) => {
      if (code === 0) writeCache();
    });
  }

  const mod = newModule(bundle);
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  wrapper.call(mod.exports, mod.exports, createRequire(bundle), mod, bundle, dirname(bundle));
}
