// `node --import tsx scripts/bench/cpu-profile.ts <file.cpuprofile> [top]`: where a V8 CPU profile's
// busy time went, as shares of busy samples (idle excluded): by package (node_modules/<name>, the
// project's own folders, node internals, GC) and the top functions by self time. ADR 0019 quotes it.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Which part of the program a frame belongs to. */
export function frameOwner(url: string, functionName: string): string {
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(program)') return 'V8/runtime (program)';
  if (!url) return functionName.startsWith('(') ? functionName : 'native';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const project = url.match(/(gateway|packages\/[^/]+|subgraphs\/[^/]+|scripts)\/(src\/)?/);
  return project ? project[1]! : 'other';
}

export function summarize(profile: Profile, top = 25) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfSamples = new Map<number, number>();
  for (const id of profile.samples) selfSamples.set(id, (selfSamples.get(id) ?? 0) + 1);
  let busy = 0;
  const owners = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, count] of selfSamples) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    busy += count;
    const owner = frameOwner(url, functionName);
    owners.set(owner, (owners.get(owner) ?? 0) + count);
    const name = `${functionName || '(anonymous)'} ${url ? `${url.split('/').slice(-2).join('/')}:${lineNumber + 1}` : ''}`.trim();
    functions.set(name, (functions.get(name) ?? 0) + count);
  }
  const share = (n: number) => `${((100 * n) / busy).toFixed(1)} %`;
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]);
  return {
    busySamples: busy,
    owners: sorted(owners).map(([owner, n]) => ({ owner, share: share(n) })),
    functions: sorted(functions).slice(0, top).map(([fn, n]) => ({ function: fn, self: share(n) })),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error('usage: cpu-profile.ts <file.cpuprofile> [top]');
    process.exit(2);
  }
  const summary = summarize(JSON.parse(readFileSync(file, 'utf8')) as Profile, Number(top ?? 25));
  console.log(`busy samples: ${summary.busySamples}\nby owner:`);
  for (const { owner, share } of summary.owners.slice(0, 20)) console.log(`  ${share.padStart(7)}  ${owner}`);
  console.log('top functions by self time:');
  for (const f of summary.functions) console.log(`  ${f.self.padStart(7)}  ${f.function}`);
}
