// `npm run bench:start`: the CPU a start had used when it said ready, per process (Linux /proc).
// A start on a few cores is CPU-bound (ADR 0015): what each process spends is what to cut. (It
// drifts with the machine as much as the wall time does: compare trees in alternating runs.)
import { processTree, readAllProcStats, readCmdline } from './full-stack/proc.ts';

/** What a process of `npm start` is, from its command line. */
export function startProcessName(cmdline: string): string {
  const service = /\/(?:subgraphs\/([a-z-]+)|(gateway)|(schema-registry))\/dist\/index\.js\b/.exec(cmdline);
  if (service) return service[1] ?? service[2] ?? 'registry';
  if (/\/dist\/embedded-databases\.js\b/.test(cmdline)) return 'databases';
  if (/^node\b.*scripts\/start\.mjs\b/.test(cmdline)) return 'launcher';
  if (/^npm\b/.test(cmdline)) return 'npm';
  return 'other';
}

/** CPU-seconds by process name, and their total. */
export interface StartCpu {
  total: number;
  byName: Map<string, number>;
}

export function startCpu(processes: ReadonlyArray<{ cmdline: string; ticks: number }>, clockTicksPerSecond = 100): StartCpu {
  const byName = new Map<string, number>();
  let total = 0;
  for (const { cmdline, ticks } of processes) {
    const seconds = ticks / clockTicksPerSecond;
    const name = startProcessName(cmdline);
    byName.set(name, (byName.get(name) ?? 0) + seconds);
    total += seconds;
  }
  return { total, byName };
}

/** The CPU a process and its descendants have used so far (what ended before is not counted). */
export async function readStartCpu(root: number): Promise<StartCpu> {
  const all = await readAllProcStats();
  const tree = new Set(processTree(root, all));
  const processes = await Promise.all(all.filter((p) => tree.has(p.pid)).map(async (p) => ({ cmdline: await readCmdline(p.pid), ticks: p.ticks })));
  return startCpu(processes);
}
