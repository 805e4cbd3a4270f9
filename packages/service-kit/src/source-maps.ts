// A built service reads its bundle's source map a few seconds after it starts, not before its first
// line (scripts/code-cache.ts, ADR 0015). Whoever reads a stack sooner asks for the map first; V8
// formats a stack when it is first read, so the stack is then mapped. The runner and the bundle are
// separate bundles with a copy of this module each: they meet through a global registry symbol.
const SOURCE_MAPS_NOW = Symbol.for('supergraph.sourceMapsNow');
type Hooks = Record<symbol, (() => void) | undefined>;

/** The code-cache runner offers the function that reads the bundle's map now (once); undefined withdraws it. */
export function offerSourceMaps(readNow: (() => void) | undefined): void {
  (globalThis as Hooks)[SOURCE_MAPS_NOW] = readNow;
}

/** Before reading a stack: the bundle's source map, read now if it has not been (a no-op outside a built service). */
export function sourceMapsNow(): void {
  (globalThis as Hooks)[SOURCE_MAPS_NOW]?.();
}
