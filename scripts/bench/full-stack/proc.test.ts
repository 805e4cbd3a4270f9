import { describe, expect, it } from 'vitest';
import { busiest, cpuPercent, groupTicks, parseMachineCpu, parseProcStat, processTree, saturationVerdict, type CpuInterval } from './proc.ts';

// Real lines from Linux (fields after stime trimmed where they do not matter).
const NODE_LINE = '11964 (node) S 11850 11964 11964 0 -1 4194560 38861 0 0 0 1520 311 0 0 20 0 11 0 5032 1214554112 37021 18446744073709551615';
const TRICKY_LINE = '4242 (my (odd) proc) R 1 4242 4242 0 -1 4194304 10 0 0 0 7 3 0 0 20 0 1 0 100 0 0 0';

describe('/proc/<pid>/stat', () => {
  it('reads pid, command, state, parent and user + system ticks (fields 14 and 15)', () => {
    expect(parseProcStat(NODE_LINE)).toEqual({ pid: 11964, comm: 'node', state: 'S', ppid: 11850, ticks: 1520 + 311 });
  });

  it('counts fields from the last parenthesis, so a command name with spaces and parentheses does not shift them', () => {
    expect(parseProcStat(TRICKY_LINE)).toEqual({ pid: 4242, comm: 'my (odd) proc', state: 'R', ppid: 1, ticks: 10 });
  });

  it('refuses a line that is not one', () => {
    expect(() => parseProcStat('hello')).toThrow(/not a \/proc/);
    expect(() => parseProcStat('1 (x) S 0')).toThrow(/no utime/);
  });
});

describe('/proc/stat machine line', () => {
  it('counts user, nice, system, irq, softirq and steal as busy; idle and iowait as not', () => {
    const text = 'cpu  100 5 50 800 20 3 2 10 0 0\ncpu0 50 2 25 400 10 1 1 5 0 0\nintr 1';
    expect(parseMachineCpu(text)).toEqual({ busy: 170, total: 990 });
  });

  it('refuses a text without the machine line', () => {
    expect(() => parseMachineCpu('cpu0 1 2 3 4')).toThrow(/no "cpu " line/);
  });
});

describe('CPU accounting', () => {
  it('turns ticks over wall time into percent of one core', () => {
    expect(cpuPercent(200, 2, 100)).toBe(100); // 2 CPU-seconds in 2 s: one core
    expect(cpuPercent(300, 2, 100)).toBe(150); // more than one core (GC and libuv threads)
    expect(cpuPercent(50, 1, 250)).toBeCloseTo(20);
    expect(cpuPercent(10, 0)).toBe(0);
    expect(cpuPercent(-5, 1)).toBe(0);
  });

  it('sums a group between two samples: newcomers count whole, the departed are lost', () => {
    const before = new Map([[1, 100], [2, 50], [3, 10]]);
    const after = new Map([[1, 160], [2, 55], [4, 30]]); // 3 ended, 4 started
    expect(groupTicks(before, after)).toEqual({ total: 60 + 5 + 30, max: 60 });
  });

  it('finds a process and all its descendants (a clustered service), and nothing for a gone root', () => {
    const all = [
      { pid: 1, ppid: 0 },
      { pid: 10, ppid: 1 }, // the gateway's primary
      { pid: 11, ppid: 10 },
      { pid: 12, ppid: 10 },
      { pid: 13, ppid: 12 },
      { pid: 20, ppid: 1 }, // someone else
    ];
    expect(processTree(10, all).sort((a, b) => a - b)).toEqual([10, 11, 12, 13]);
    expect(processTree(20, all)).toEqual([20]);
    expect(processTree(99, all)).toEqual([]);
  });

  it('names the single process nearest a full core, ignoring group totals', () => {
    const rows = [
      { name: 'postgres (all processes)', percent: 180, single: false },
      { name: 'gateway', percent: 62, single: true },
      { name: 'users', percent: 97, single: true },
    ];
    expect(busiest(rows)).toEqual({ name: 'users', percent: 97, single: true });
    expect(busiest([])).toBeUndefined();
  });
});

describe('what saturated first', () => {
  const interval = (rows: CpuInterval['rows'], machinePercent: number, stackPercent: number): CpuInterval => ({ rows, machinePercent, stackPercent, cores: 2 });

  it('is the process of the stack nearest a full core when one is near it', () => {
    const cpu = interval([{ name: 'users', percent: 96, single: true }, { name: 'gateway', percent: 40, single: true }], 150, 150);
    expect(saturationVerdict(cpu)).toBe('users at 96 % of one core');
  });

  it('is the machine when every core is busy and no process of ours is near one, saying whose work it mostly was', () => {
    const cpu = interval([{ name: 'users', percent: 15, single: true }, { name: 'postgres (all processes)', percent: 90, single: false }], 199, 70);
    expect(saturationVerdict(cpu)).toBe("the machine's CPU: no process of the stack was near a full core (busiest: users at 15 % of one core), but the machine 199 % of 200 % busy, the stack's own share 70 % (mostly other work on this machine)");
  });

  it('does not blame other work when the stack used most of the machine', () => {
    const cpu = interval([{ name: 'users', percent: 18, single: true }], 199, 146);
    expect(saturationVerdict(cpu)).toBe("the machine's CPU: no process of the stack was near a full core (busiest: users at 18 % of one core), but the machine 199 % of 200 % busy, the stack's own share 146 %");
  });

  it('is no CPU at all when neither a process nor the machine is busy', () => {
    const cpu = interval([{ name: 'orders', percent: 30, single: true }], 80, 75);
    expect(saturationVerdict(cpu)).toMatch(/^no CPU: busiest orders at 30 % of one core, the machine 80 % of 200 % busy/);
  });
});
