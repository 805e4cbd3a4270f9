import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** `taskset` when it is there and there are at least two cores to split; else no pinning. */
export function pinning(): { available: boolean; reason: string } {
  if (availableParallelism() < 2) return { available: false, reason: `${availableParallelism()} core: nothing to pin apart` };
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return { available: true, reason: 'gateway on core 0 (taskset -c 0); stubs and load generator on core 1' };
  } catch {
    return { available: false, reason: 'taskset not found: processes not pinned' };
  }
}

/** Pins this process, every thread of it, to one core. */
export function pinSelf(core: number) {
  execFileSync('taskset', ['-a', '-p', '-c', String(core), String(process.pid)], { stdio: 'ignore' });
}

const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time (user + system, all threads) of a process in ms, from /proc/<pid>/stat; undefined where there is no /proc. */
export function cpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, so split after its closing parenthesis).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks; // utime, stime: fields 14 and 15
  } catch {
    return undefined;
  }
}

export interface GatewayProcess {
  name: string;
  url: string;
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts scripts/bench/gateway-only/serve.ts with this config, pinned to `core` when pinning is available. */
export function startGatewayProcess(options: {
  name: string;
  config: unknown;
  core: number | undefined;
  nodeFlags?: string[];
  timeoutMs?: number;
}): Promise<GatewayProcess> {
  const serve = new URL('./serve.ts', import.meta.url).pathname;
  const node = [process.execPath, ...(options.nodeFlags ?? []), '--import', 'tsx', serve];
  const [command, ...args] = options.core === undefined ? node : ['taskset', '-c', String(options.core), ...node];
  const child = spawn(command!, args, {
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    env: { ...process.env, NODE_ENV: 'production', BENCH_CHILD: JSON.stringify(options.config) },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${options.name}: not ready after ${(options.timeoutMs ?? 120_000) / 1000} s; stderr: ${stderr}`));
    }, options.timeoutMs ?? 120_000);
    child.on('message', (message: { ready?: string; failed?: string }) => {
      clearTimeout(timer);
      if (message.ready) resolve({ name: options.name, url: message.ready, pid: child.pid!, child, stop });
      else reject(new Error(`${options.name}: ${message.failed}`));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${options.name}: exited (${code ?? signal}) before it was ready; stderr: ${stderr}`));
    });
  });
}
