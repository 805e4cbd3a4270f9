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

/**
 * When the caller (the gateway) gives up on this request, in epoch milliseconds. A request whose
 * answer would arrive after it is refused now rather than worked on for nobody: the gateway would
 * count the late answer as a timeout, a real failure, where a refusal is a retryable answer.
 */
export const DEADLINE_HEADER = 'x-request-deadline';

/** The deadline a header carries, or null when absent or implausible (a clock far off, a bad value). */
export function requestDeadline(header: string | string[] | undefined, now = Date.now()): number | null {
  const value = Number(Array.isArray(header) ? header[0] : header);
  if (!Number.isFinite(value) || value < now - 60_000 || value > now + 600_000) return null;
  return value;
}

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
 * Limits derived from the database pool: as many requests at once as connections, and at least
 * 4, so that the embedded pool of one overlaps one request's queries with others' HTTP calls.
 * More would only wait in the pool's own queue, unbounded and unseen, and make each request
 * slower (Little's law: time in the service is the requests in it over its throughput). The wait
 * stays well under the gateway's default 10 s subgraph timeout, and a request that carries the
 * gateway's deadline waits only as long as it could still be answered in time.
 */
export function admissionLimitsFor(poolMax: number, overrides: Partial<AdmissionLimits> = {}): AdmissionLimits {
  const maxConcurrent = overrides.maxConcurrent ?? Math.max(4, poolMax);
  return {
    maxConcurrent,
    maxQueue: overrides.maxQueue ?? maxConcurrent * 16,
    queueTimeoutMs: overrides.queueTimeoutMs ?? 2_000,
    retryAfterSeconds: overrides.retryAfterSeconds ?? 1,
  };
}

export type RefusalReason = 'queue_full' | 'queue_timeout' | 'deadline';

export class AdmissionRefusedError extends Error {
  override name = 'AdmissionRefusedError';
  constructor(readonly reason: RefusalReason) {
    super(reason === 'queue_full' ? 'admission queue full' : reason === 'deadline' ? 'could not be answered before the caller gives up' : 'waited too long for a slot');
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
  /** Recent execution time (exponentially weighted mean), what a request still needs once admitted. */
  private executionMs = 0;

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

  /** Records how long an admitted request took, for the deadline check of the next ones. */
  recordExecution(ms: number): void {
    this.executionMs = this.executionMs === 0 ? ms : this.executionMs * 0.8 + ms * 0.2;
  }

  /** The latest moment a request with this deadline may start: its deadline less 1.5 recent executions. */
  private latestStart(deadline: number | null | undefined): number {
    return deadline == null ? Number.POSITIVE_INFINITY : deadline - this.executionMs * 1.5;
  }

  /**
   * Resolves with a release function once a slot is free; rejects with AdmissionRefusedError when
   * the queue is full or the wait outlives `queueTimeoutMs`, and when `signal` aborts meanwhile
   * (the caller went away: no slot is spent on it). With the caller's `deadline` (epoch ms), a
   * request that has to wait is refused as soon as it could no longer be answered in time
   * (reason `deadline`); one past its deadline is refused even when a slot is free.
   */
  acquire(signal?: AbortSignal, deadline?: number | null): Promise<() => void> {
    if (deadline != null && Date.now() >= deadline) return Promise.reject(new AdmissionRefusedError('deadline'));
    // A free slot is taken whatever the estimate says: the estimate comes from busy times, and an
    // idle service that refused on it would never execute anything to correct it.
    if (this.active < this.limits.maxConcurrent && this.queue.length === 0) {
      this.active++;
      this.changed();
      return Promise.resolve(this.releaser());
    }
    const latestStart = this.latestStart(deadline);
    if (Date.now() >= latestStart) return Promise.reject(new AdmissionRefusedError('deadline'));
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
      const untilDeadline = latestStart - Date.now();
      const timer =
        untilDeadline < this.limits.queueTimeoutMs
          ? setTimeout(() => waiter.refuse('deadline'), untilDeadline)
          : setTimeout(() => waiter.refuse('queue_timeout'), this.limits.queueTimeoutMs);
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
      help: 'GraphQL requests refused with 503 SERVICE_OVERLOADED, by reason (queue_full, queue_timeout, deadline: could not be answered before the gateway gives up)',
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
      release = await gate.acquire(gone.signal, requestDeadline(req.headers[DEADLINE_HEADER]));
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
    const admittedAt = performance.now();
    metrics.queueWait.observe((admittedAt - queuedAt) / 1000);
    try {
      await handler(req, res, next);
    } catch (error) {
      next(error);
    } finally {
      gate.recordExecution(performance.now() - admittedAt);
      release();
    }
  };
}
