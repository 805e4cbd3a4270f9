// Open-loop load: requests arrive at a fixed rate whether or not earlier ones have been answered
// (as shoppers do), so a saturated stack shows as a growing queue, not as fewer requests sent.
// Latency is measured from each request's scheduled arrival, not from when the event loop got
// round to sending it, so a late generator cannot hide a slow stack (coordinated omission).
import type { Operation, Outcome } from './outcome.ts';

export interface Sample {
  operation: Operation;
  ms: number;
  outcome: Outcome;
}

export interface StepResult {
  rate: number;
  seconds: number;
  sent: number;
  /** Answered (or failed) inside the arrival window: the achieved rate's numerator. */
  completedInWindow: number;
  samples: Sample[];
}

export async function runOpenLoop(options: {
  rate: number;
  seconds: number;
  timeoutMs: number;
  next: (n: number) => Operation;
  send: (operation: Operation, n: number, signal: AbortSignal) => Promise<Outcome>;
  /** Called when the arrival window closes, before the stragglers are awaited (to sample CPU over the window only). */
  onWindowEnd?: () => Promise<void> | void;
  firstRequest?: number;
}): Promise<StepResult & { nextRequest: number }> {
  const samples: Sample[] = [];
  const inFlight = new Set<Promise<void>>();
  const start = performance.now();
  const windowEnd = start + options.seconds * 1000;
  const intervalMs = 1000 / options.rate;
  let sent = 0;
  let completedInWindow = 0;
  let n = options.firstRequest ?? 0;

  const fire = (scheduledAt: number) => {
    const requestNumber = n++;
    const operation = options.next(requestNumber);
    const done = options
      .send(operation, requestNumber, AbortSignal.timeout(options.timeoutMs))
      .catch((error: Error): Outcome => ({ kind: 'error', label: error.name === 'TimeoutError' ? 'timeout' : 'connection' }))
      .then((outcome) => {
        const now = performance.now();
        samples.push({ operation, ms: now - scheduledAt, outcome });
        if (now <= windowEnd) completedInWindow += 1;
      });
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  };

  for (;;) {
    const now = performance.now();
    if (now >= windowEnd) break;
    // Every arrival due by now is sent now (a late tick catches up), each timed from its own schedule.
    while (start + sent * intervalMs <= now) {
      fire(start + sent * intervalMs);
      sent += 1;
    }
    const nextAt = start + sent * intervalMs;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(nextAt, windowEnd) - performance.now())));
  }
  await options.onWindowEnd?.();
  await Promise.all(inFlight);
  return { rate: options.rate, seconds: options.seconds, sent, completedInWindow, samples, nextRequest: n };
}
