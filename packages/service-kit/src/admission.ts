import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * Admission control for a subgraph's GraphQL requests (ADR 0012). A service accepts only the work
 * its database can do in time: at most `maxConcurrent` requests execute at once, at most
 * `maxQueue` wait for a slot, each for at most `queueTimeoutMs`; anything over that is refused at
 * once with HTTP 503, `Retry-After` and the code SERVICE_OVERLOADED, which the gateway passes on
 * as a retryable refusal (and does not count against the subgraph's circuit breaker).
 *
 * Without it, a burst (200 concurrent placeOrder on the embedded PGlite, whose pool is one
 * connection) shares the connection among every request at once: each takes as long as all of
 * them together, they all outlive the gateway's timeout, and the gateway takes the service for
 * dead. With it, the first requests finish quickly and the rest are told to come back.
 */
export const SERVICE_OVERLOADED = 'SERVICE_OVERLOADED';

export interface AdmissionLimits {
  /** GraphQL requests executing at once. */
  maxConcurrent: number;
  /** Requests waiting for a slot; one more is refused at once. */
  maxQueue: number;
  /** How long a request may wait for a slot before it is refused. */
  queueTimeoutMs: number;
  /** What the refusal's `Retry-After` says, in seconds. */
  retryAfterSeconds: number;
}

/**
 * Limits derived from the database pool: a request spends part of its time off the database
 * (HTTP to other services, serialising), so a few more requests than connections keep the pool
 * busy; many more only make each one slower. The wait stays well under the gateway's default
 * 10 s subgraph timeout, so a refusal always arrives before the gateway gives up.
 */
export function admissionLimitsFor(poolMax: number, overrides: Partial<AdmissionLimits> = {}): AdmissionLimits {
  const maxConcurrent = overrides.maxConcurrent ?? Math.max(2, poolMax * 4);
  return {
    maxConcurrent,
    maxQueue: overrides.maxQueue ?? maxConcurrent * 16,
    queueTimeoutMs: overrides.queueTimeoutMs ?? 3_000,
    retryAfterSeconds: overrides.retryAfterSeconds ?? 1,
  };
}

export type RefusalReason = 'queue_full' | 'queue_timeout';

export class AdmissionRefusedError extends Error {
  override name = 'AdmissionRefusedError';
  constructor(readonly reason: RefusalReason) {
    super(reason === 'queue_full' ? 'admission queue full' : 'waited too long for a slot');
  }
}

interface Waiter {
  grant(): void;
  refuse(reason: RefusalReason): void;
}

/**
 * A counting semaphore with a bounded FIFO queue and a deadline per waiter. Written here rather
 * than taken from p-limit or p-queue (neither is installed, and neither bounds its queue nor
 * refuses a waiter after a deadline, which is all this needs: ADR 0012).
 */
export class AdmissionGate {
  private active = 0;
  private readonly queue: Waiter[] = [];

  constructor(
    readonly limits: AdmissionLimits,
    private readonly onChange: (state: { active: number; queued: number }) => void = () => {},
  ) {}

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.queue.length;
  }

  /**
   * Resolves with a release function once a slot is free; rejects with AdmissionRefusedError when
   * the queue is full or the wait outlives `queueTimeoutMs`, and when `signal` aborts meanwhile
   * (the caller went away: no slot is spent on it).
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.active < this.limits.maxConcurrent && this.queue.length === 0) {
      this.active++;
      this.changed();
      return Promise.resolve(this.releaser());
    }
    if (this.queue.length >= this.limits.maxQueue) return Promise.reject(new AdmissionRefusedError('queue_full'));
    return new Promise((resolve, reject) => {
      const leave = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const index = this.queue.indexOf(waiter);
        if (index >= 0) this.queue.splice(index, 1);
        this.changed();
      };
      const waiter: Waiter = {
        // release() hands its slot over directly: `active` stays as it is.
        grant: () => {
          leave();
          resolve(this.releaser());
        },
        refuse: (reason) => {
          leave();
          reject(new AdmissionRefusedError(reason));
        },
      };
      const onAbort = () => waiter.refuse('queue_timeout');
      const timer = setTimeout(() => waiter.refuse('queue_timeout'), this.limits.queueTimeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
      this.changed();
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue[0];
      if (next) next.grant();
      else {
        this.active--;
        this.changed();
      }
    };
  }

  private changed() {
    this.onChange({ active: this.active, queued: this.queue.length });
  }
}

export interface AdmissionMetrics {
  rejected: Counter<'reason'>;
  queueDepth: Gauge;
  inFlight: Gauge;
  queueWait: Histogram;
}

export function createAdmissionMetrics(registry: Registry, limits: AdmissionLimits): AdmissionMetrics {
  new Gauge({ name: 'admission_max_concurrent', help: 'GraphQL requests this service executes at once at most (ADMISSION_MAX_CONCURRENT)', registers: [registry] }).set(limits.maxConcurrent);
  new Gauge({ name: 'admission_max_queue', help: 'GraphQL requests that may wait for a slot at most (ADMISSION_MAX_QUEUE)', registers: [registry] }).set(limits.maxQueue);
  return {
    rejected: new Counter({
      name: 'admission_rejected_total',
      help: 'GraphQL requests refused with 503 SERVICE_OVERLOADED, by reason (queue_full, queue_timeout)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    queueDepth: new Gauge({ name: 'admission_queue_depth', help: 'GraphQL requests waiting for a slot now', registers: [registry] }),
    inFlight: new Gauge({ name: 'admission_in_flight', help: 'GraphQL requests executing now', registers: [registry] }),
    queueWait: new Histogram({
      name: 'admission_queue_wait_seconds',
      help: 'How long admitted GraphQL requests waited for a slot',
      buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}

/** The body of an overload refusal: a GraphQL response with a stable, retryable code. */
export function overloadedResponseBody(service: string, retryAfterSeconds: number) {
  return {
    errors: [
      {
        message: `The ${service} service is busy; retry in ${retryAfterSeconds} s`,
        extensions: { code: SERVICE_OVERLOADED, retryable: true, retryAfterSeconds },
      },
    ],
  };
}

/**
 * Wraps the GraphQL handler: it runs only with a slot, which it holds until the handler is done
 * (not merely until the client went away: resolvers go on running after a disconnect, and their
 * database work is what the slot bounds). A request refused gets 503 + Retry-After at once.
 */
export function admissionControlled(options: { service: string; gate: AdmissionGate; metrics: AdmissionMetrics }, handler: RequestHandler): RequestHandler {
  const { gate, metrics } = options;
  return async (req, res, next) => {
    const queuedAt = performance.now();
    const gone = new AbortController();
    const onClose = () => gone.abort();
    res.once('close', onClose);
    let release: () => void;
    try {
      release = await gate.acquire(gone.signal);
    } catch (error) {
      res.off('close', onClose);
      if (!(error instanceof AdmissionRefusedError)) return next(error);
      if (gone.signal.aborted) return; // nobody to answer
      metrics.rejected.inc({ reason: error.reason });
      const { retryAfterSeconds } = gate.limits;
      res.status(503).setHeader('retry-after', String(retryAfterSeconds)).setHeader('cache-control', 'no-store');
      res.json(overloadedResponseBody(options.service, retryAfterSeconds));
      return;
    }
    res.off('close', onClose);
    metrics.queueWait.observe((performance.now() - queuedAt) / 1000);
    try {
      await handler(req, res, next);
    } catch (error) {
      next(error);
    } finally {
      release();
    }
  };
}
