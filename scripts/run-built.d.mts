/** True when a built entry (absolute path) is missing or older than a source it was built from (paths relative to `root`). */
export function isStale(outfile: string, root: string): boolean;
/** Imports `outfile` (relative to the repository root), built as build target `target`, rebuilt first when stale. */
export function runBuilt(target: string, outfile: string): Promise<void>;
