import { describe, expect, it } from 'vitest';
import { startCpu, startProcessName } from './start-cpu.ts';

describe('bench:start CPU by process', () => {
  it('names each process of npm start by what it runs', () => {
    expect(startProcessName('npm start')).toBe('npm');
    expect(startProcessName('node scripts/start.mjs')).toBe('launcher');
    expect(startProcessName('sh -c node scripts/start.mjs')).toBe('other');
    expect(startProcessName('/usr/bin/node --enable-source-maps --wasm-tiering-budget=18000000 /repo/scripts/dist/embedded-databases.js')).toBe('databases');
    expect(startProcessName('/usr/bin/node --enable-source-maps /repo/schema-registry/dist/index.js')).toBe('registry');
    expect(startProcessName('/usr/bin/node --enable-source-maps --max-semi-space-size=64 /repo/gateway/dist/index.js')).toBe('gateway');
    expect(startProcessName('/usr/bin/node --enable-source-maps /repo/subgraphs/inventory/dist/index.js')).toBe('inventory');
    expect(startProcessName('/usr/bin/node /repo/schema-registry/dist/cli.js history')).toBe('other');
  });

  it('adds clock ticks up by name and in all', () => {
    const cpu = startCpu([
      { cmdline: '/usr/bin/node /r/gateway/dist/index.js', ticks: 120 },
      { cmdline: '/usr/bin/node /r/subgraphs/users/dist/index.js', ticks: 95 },
      { cmdline: '/usr/bin/node /r/gateway/dist/index.js', ticks: 30 },
      { cmdline: 'npm start', ticks: 31 },
    ]);
    expect(cpu.total).toBeCloseTo(2.76);
    expect(Object.fromEntries(cpu.byName)).toEqual({ gateway: 1.5, users: 0.95, npm: 0.31 });
  });
});
