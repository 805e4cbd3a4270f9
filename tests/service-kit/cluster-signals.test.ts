import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { repoPath } from '../../scripts/paths.ts';
import { childPids, freePort, processAlive } from '../support/processes.ts';
import { within } from '../support/wait.ts';

/**
 * runService as a primary and two workers (tests/service-kit/fixtures/two-worker-service.ts), real
 * processes and signals. A worker serves as soon as it listens, before its siblings are ready, and
 * a worker's connections are its own once the primary dealt them: whatever happens to the primary,
 * a request a worker accepted gets its answer.
 */
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

async function startFixture(env: Record<string, string>) {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/service-kit/fixtures/two-worker-service.ts'], {
    cwd: repoPath(),
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'development', LOG_LEVEL: 'info', PORT: String(port), METRICS_PORT: String(metricsPort), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const output: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk: Buffer) => output.push(...chunk.toString().split('\n').filter(Boolean)));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = `http://127.0.0.1:${port}`;
  return { child, output, exit, url };
}

/** One GET on a connection of its own; resolves with the status, or the error that ended it. */
function get(url: string): Promise<{ status: number; body: { worker?: number } } | Error> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { agent: false }, (response) => {
      let data = '';
      response.on('data', (chunk) => (data += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(data) }));
      response.on('error', resolve);
    });
    req.on('error', resolve);
    req.end();
  });
}

describe('a service on two workers', { timeout: 120_000 }, () => {
  it('SIGTERM while one worker is still starting: the serving worker finishes its request, all exit 0', async () => {
    // Worker 1 would take a minute: the primary is not "ready" when the signal comes.
    const fixture = await startFixture({ SLOW_SLOT_START_MS: '60000', SLOW_REQUEST_MS: '1500' });
    await within(60_000, async () => {
      const answer = await get(`${fixture.url}/readyz`);
      return !(answer instanceof Error) && answer.status === 200;
    });
    expect(fixture.output.some((line) => line.includes('two-worker-fixture ready'))).toBe(false);

    const slow = get(`${fixture.url}/slow`);
    await within(30_000, async () => fixture.output.some((line) => line.includes('slow request arrived')));
    fixture.child.kill('SIGTERM');
    expect(await slow).toMatchObject({ status: 200, body: { worker: 0 } });
    expect(await fixture.exit).toEqual({ code: 0, signal: null });
    expect(await childPids(fixture.child.pid!)).toEqual([]);
  });

  it('a primary killed outright: a worker still finishes the request it accepted, then exits', async () => {
    const fixture = await startFixture({ SLOW_REQUEST_MS: '1500' });
    await within(60_000, async () => fixture.output.some((line) => line.includes('two-worker-fixture ready')));
    const workers = await childPids(fixture.child.pid!);
    expect(workers).toHaveLength(2);

    const slow = get(`${fixture.url}/slow`);
    await within(30_000, async () => fixture.output.some((line) => line.includes('slow request arrived')));
    fixture.child.kill('SIGKILL');
    expect(await slow).toMatchObject({ status: 200 });
    await within(30_000, async () => workers.every((pid) => !processAlive(pid)));
  });
});
