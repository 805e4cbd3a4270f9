// CPU per process from Linux's /proc, for `npm run bench:full-stack`: each process's user +
// system clock ticks (/proc/<pid>/stat fields 14 and 15) sampled at the start and end of a step.
// Parsing and arithmetic are pure (proc.test.ts); only the `read*` functions touch /proc.
import { readdir, readFile } from 'node:fs/promises';

export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  /** utime + stime, in clock ticks. */
  ticks: number;
}

/**
 * One /proc/<pid>/stat line. The command name (field 2) is in parentheses and may itself hold
 * spaces and parentheses, so the fields are counted from the last ')'.
 */
export function parseProcStat(line: string): ProcStat {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`not a /proc/<pid>/stat line: ${line.slice(0, 80)}`);
  const rest = line.slice(close + 2).trim().split(/\s+/);
  // rest[0] is field 3 (state); utime is field 14, stime field 15.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`no utime/stime in: ${line.slice(0, 80)}`);
  return { pid: Number(line.slice(0, open).trim()), comm: line.slice(open + 1, close), state: rest[0]!, ppid: Number(rest[1]), ticks: utime + stime };
}

/** The machine's `cpu` line of /proc/stat: busy and total ticks over all cores. */
export function parseMachineCpu(procStat: string): { busy: number; total: number } {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('no "cpu " line in /proc/stat');
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user).
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/** Percent of one core: ticks used over a wall-clock interval (100 = one core fully busy). */
export function cpuPercent(deltaTicks: number, seconds: number, clockTicksPerSecond = 100): number {
  if (!(seconds > 0)) return 0;
  return (Math.max(0, deltaTicks) / clockTicksPerSecond / seconds) * 100;
}

/**
 * Ticks used by a group of processes between two samples (pid → ticks). A process present only
 * at the end started during the interval and counts whole; one gone by the end is lost (its
 * last interval cannot be read), which undercounts short-lived processes only.
 */
export function groupTicks(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): { total: number; max: number } {
  let total = 0;
  let max = 0;
  for (const [pid, ticks] of after) {
    const used = Math.max(0, ticks - (before.get(pid) ?? 0));
    total += used;
    max = Math.max(max, used);
  }
  return { total, max };
}

/** A process and every descendant of it (a clustered service's workers), from one sample of all processes. */
export function processTree(root: number, all: ReadonlyArray<Pick<ProcStat, 'pid' | 'ppid'>>): number[] {
  const children = new Map<number, number[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  if (!all.some((p) => p.pid === root)) return [];
  const tree: number[] = [];
  const pending = [root];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    tree.push(pid);
    pending.push(...(children.get(pid) ?? []));
  }
  return tree;
}

export interface CpuRow {
  name: string;
  percent: number;
  /** One process (can saturate one core), as opposed to a group total. */
  single: boolean;
}

export interface CpuInterval {
  rows: CpuRow[];
  /** The whole machine, other work included, in percent of one core (up to cores × 100). */
  machinePercent: number;
  /** The stack's processes, our PostgreSQL backends and the bench together. */
  stackPercent: number;
  cores: number;
}

/** The process closest to (or past) a full core, among single processes (not group totals). */
export function busiest(cpu: readonly CpuRow[]): { name: string; percent: number } | undefined {
  return cpu.filter((c) => c.single).sort((a, b) => b.percent - a.percent)[0];
}

/**
 * What ran out first, in words: a process of the stack near a full core, else the machine's cores
 * (all of them busy, whoever's work it was), else no CPU at all (waiting: locks, pools, queues).
 */
export function saturationVerdict(cpu: CpuInterval, nearFull = 80): string {
  const top = busiest(cpu.rows);
  const capacity = cpu.cores * 100;
  const topText = top ? `${top.name} at ${top.percent.toFixed(0)} % of one core` : 'no process sampled';
  if (top && top.percent >= nearFull) return `${topText}`;
  const shares = `the machine ${cpu.machinePercent.toFixed(0)} % of ${capacity} % busy, the stack's own share ${cpu.stackPercent.toFixed(0)} %`;
  if (cpu.machinePercent >= capacity * 0.9) {
    return `the machine's CPU: no process of the stack was near a full core (busiest: ${topText}), but ${shares}${cpu.stackPercent < cpu.machinePercent * 0.5 ? ' (mostly other work on this machine)' : ''}`;
  }
  return `no CPU: busiest ${topText}, ${shares}; requests waited on something else (database locks or pools, admission queues)`;
}

export async function readProcStat(pid: number): Promise<ProcStat | undefined> {
  try {
    return parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined; // gone
  }
}

export async function readMachineCpu(): Promise<{ busy: number; total: number }> {
  return parseMachineCpu(await readFile('/proc/stat', 'utf8'));
}

/** Every process on the machine (those that end while being read are skipped). */
export async function readAllProcStats(): Promise<ProcStat[]> {
  const stats = await Promise.all((await readdir('/proc')).filter((e) => /^\d+$/.test(e)).map((e) => readProcStat(Number(e))));
  return stats.filter((s): s is ProcStat => s !== undefined);
}

/** A process's command line, spaces for NULs ('' once it is gone). */
export const readCmdline = (pid: number): Promise<string> =>
  readFile(`/proc/${pid}/cmdline`, 'utf8').then((c) => c.replaceAll('\0', ' ').trim(), () => '');

/**
 * Every process whose command name is `comm` (e.g. `postgres`, `redis-server`), with its command
 * line (a PostgreSQL backend's names its database: `postgres: 15/main: user db 127.0.0.1(5432) idle`).
 */
export async function findProcesses(comm: string, all?: ProcStat[]): Promise<Array<ProcStat & { cmdline: string }>> {
  const matching = (all ?? (await readAllProcStats())).filter((p) => p.comm === comm);
  return Promise.all(matching.map(async (p) => ({ ...p, cmdline: await readCmdline(p.pid) })));
}
