import { describe, expect, it } from 'vitest';
import { AdmissionGate, AdmissionRefusedError, admissionLimitsFor } from './admission.ts';

const limits = (maxConcurrent: number, maxQueue: number, queueTimeoutMs = 60_000) => ({ maxConcurrent, maxQueue, queueTimeoutMs, retryAfterSeconds: 1 });
const refusal = (promise: Promise<unknown>) => promise.then(() => 'granted', (error: AdmissionRefusedError) => error.reason);

describe('admission gate', () => {
  it('derives its limits from the database pool: the embedded pool of one still runs a few requests at once', () => {
    expect(admissionLimitsFor(1)).toEqual({ maxConcurrent: 4, maxQueue: 64, queueTimeoutMs: 3_000, retryAfterSeconds: 1 });
    expect(admissionLimitsFor(10).maxConcurrent).toBe(40);
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
});
