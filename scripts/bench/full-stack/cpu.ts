// Samples the CPU time of every process of the stack at the edges of a step (see proc.ts).
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { busiest, cpuPercent, findProcesses, groupTicks, processTree, readAllProcStats, readMachineCpu, saturationVerdict, type CpuInterval, type CpuRow } from './proc.ts';

export type { CpuInterval, CpuRow };

export interface Watched {
  name: string;
  pid: number;
  /** Count its descendants too (a service running as a cluster of workers); default true. */
  tree?: boolean;
}

export interface CpuSnapshot {
  at: number;
  machine: { busy: number; total: number };
  /** Per watched name: pid → ticks of the process (and its descendants). */
  groups: Map<string, Map<number, number>>;
  postgresOurs: Map<number, number>;
  postgresAll: Map<number, number>;
  benchMicros: number;
}


export const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** @param databasePrefix this run's databases: a PostgreSQL backend whose command line names one is ours */
export async function sampleCpu(watched: readonly Watched[], databasePrefix: string): Promise<CpuSnapshot> {
  const all = await readAllProcStats();
  const ticksOf = new Map(all.map((p) => [p.pid, p.ticks]));
  const groups = new Map<string, Map<number, number>>();
  for (const { name, pid, tree = true } of watched) {
    const pids = tree ? processTree(pid, all) : ticksOf.has(pid) ? [pid] : [];
    groups.set(name, new Map(pids.map((p) => [p, ticksOf.get(p)!])));
  }
  const postgresOurs = new Map<number, number>();
  const postgresAll = new Map<number, number>();
  for (const p of await findProcesses('postgres', all)) {
    postgresAll.set(p.pid, p.ticks);
    if (p.cmdline.includes(` ${databasePrefix}_`)) postgresOurs.set(p.pid, p.ticks);
  }
  const usage = process.cpuUsage();
  return { at: performance.now(), machine: await readMachineCpu(), groups, postgresOurs, postgresAll, benchMicros: usage.user + usage.system };
}


export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot): CpuInterval {
  const seconds = (b.at - a.at) / 1000;
  const percent = (ticks: number) => cpuPercent(ticks, seconds, clockTicks);
  const rows: CpuRow[] = [];
  let stackTicks = 0;
  for (const [name, after] of b.groups) {
    const before = a.groups.get(name);
    if (!before || after.size === 0) continue;
    const used = groupTicks(before, after);
    stackTicks += used.total;
    if (after.size === 1) rows.push({ name, percent: percent(used.total), single: true });
    else rows.push({ name: `${name} (${after.size} processes)`, percent: percent(used.total), single: false }, { name: `${name} busiest process`, percent: percent(used.max), single: true });
  }
  const ours = groupTicks(a.postgresOurs, b.postgresOurs);
  rows.push({ name: `postgres backends (ours, ${b.postgresOurs.size})`, percent: percent(ours.total), single: false });
  rows.push({ name: 'postgres busiest backend', percent: percent(ours.max), single: true });
  rows.push({ name: 'postgres (all processes)', percent: percent(groupTicks(a.postgresAll, b.postgresAll).total), single: false });
  const benchPercent = ((b.benchMicros - a.benchMicros) / 1e6 / seconds) * 100;
  rows.push({ name: 'bench (load generator)', percent: benchPercent, single: true });
  const busy = b.machine.busy - a.machine.busy;
  const total = b.machine.total - a.machine.total;
  const cores = availableParallelism();
  return { rows, machinePercent: total > 0 ? (busy / total) * cores * 100 : 0, stackPercent: percent(stackTicks + ours.total) + benchPercent, cores };
}

export { busiest, saturationVerdict };
