import { describe, expect, it } from 'vitest';
import { AdmissionGate, AdmissionRefusedError, admissionLimitsFor, requestDeadline } from './admission.ts';

const limits = (maxConcurrent: number, maxQueue: number, queueTimeoutMs = 60_000) => ({ maxConcurrent, maxQueue, queueTimeoutMs, retryAfterSeconds: 1 });
const refusal = (promise: Promise<unknown>) => promise.then(() => 'granted', (error: AdmissionRefusedError) => error.reason);

describe('admission gate', () => {
  it('derives its limits from the database pool: the embedded pool of one still runs a few requests at once', () => {
    expect(admissionLimitsFor(1)).toEqual({ maxConcurrent: 4, maxQueue: 64, queueTimeoutMs: 2_000, retryAfterSeconds: 1 });
    expect(admissionLimitsFor(10).maxConcurrent).toBe(10);
    expect(admissionLimitsFor(1, { maxConcurrent: 2, maxQueue: undefined }).maxQueue).toBe(32);
  });

  it('runs up to maxConcurrent at once, queues up to maxQueue in order, and refuses one more at once', async () => {
    const gate = new AdmissionGate(limits(2, 2));
    const first = await gate.acquire();
    await gate.acquire();
    const order: number[] = [];
    const third = gate.acquire().then((release) => (order.push(3), release));
    const fourth = gate.acquire().then((release) => (order.push(4), release));
    expect(await refusal(gate.acquire())).toBe('queue_full');
    expect([gate.inFlight, gate.queued]).toEqual([2, 2]);
    first();
    first(); // releasing twice frees one slot only
    (await third)();
    (await fourth)();
    expect(order).toEqual([3, 4]);
    expect([gate.inFlight, gate.queued]).toEqual([1, 0]);
  });

  it('refuses a request that waited longer than queueTimeoutMs, and one whose caller went away, without spending a slot', async () => {
    const gate = new AdmissionGate(limits(1, 5, 20));
    const release = await gate.acquire();
    expect(await refusal(gate.acquire())).toBe('queue_timeout');
    const gone = new AbortController();
    const waiting = refusal(gate.acquire(gone.signal));
    gone.abort();
    expect(await waiting).toBe('queue_timeout');
    expect(gate.queued).toBe(0);
    release();
    expect(gate.inFlight).toBe(0);
    expect(await refusal(gate.acquire())).toBe('granted');
  });

  it('refuses what it could not answer before the caller gives up, at once or while waiting', async () => {
    const gate = new AdmissionGate(limits(1, 5, 60_000));
    gate.recordExecution(100); // requests take about 100 ms here
    expect(await refusal(gate.acquire(undefined, Date.now() - 1))).toBe('deadline');
    const release = await gate.acquire(undefined, Date.now() + 5_000);
    expect(await refusal(gate.acquire(undefined, Date.now() + 50))).toBe('deadline'); // would have to wait
    const started = Date.now();
    expect(await refusal(gate.acquire(undefined, Date.now() + 400))).toBe('deadline'); // not after the 60 s queue timeout
    expect(Date.now() - started).toBeLessThan(5_000);
    release();
  });

  it('takes a free slot whatever its estimate, so a service that was slow once does not refuse for ever', async () => {
    const gate = new AdmissionGate(limits(1, 5, 60_000));
    gate.recordExecution(60_000);
    expect(await refusal(gate.acquire(undefined, Date.now() + 1_000))).toBe('granted');
  });

  it('reads a deadline header, ignoring values no synchronised clock would send', () => {
    const now = 1_800_000_000_000;
    expect(requestDeadline(String(now + 10_000), now)).toBe(now + 10_000);
    expect(requestDeadline(undefined, now)).toBeNull();
    expect(requestDeadline('soon', now)).toBeNull();
    expect(requestDeadline(String(now - 3_600_000), now)).toBeNull();
    expect(requestDeadline(String(now + 3_600_000), now)).toBeNull();
  });
});
