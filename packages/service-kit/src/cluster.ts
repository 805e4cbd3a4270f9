import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from './logger.ts';
import { drainThenExit } from './drain.ts';

/**
 * One service on every core: a primary process forks N workers (node:cluster) that share the
 * service's port, and owns what must exist once per pod: the signals, the metrics listener and
 * whatever the service asks it to run (the gateway's one registry poll). ADR 0020.
 *
 * Primary -> worker messages: drain (stop like SIGTERM would), metrics (send your registry).
 * Worker -> primary: ready (listening, with its URL), metrics (the answer), cluster-metrics (a
 * worker's public /metrics asking for the whole service's).
 */

/** Set by the primary in each worker's environment: which slot (0..N-1) it fills. */
const SLOT_VARIABLE = 'SERVICE_WORKER_SLOT';

/** This process's worker slot when a service primary forked it; undefined in a single process. */
export function workerSlot(): number | undefined {
  const slot = process.env[SLOT_VARIABLE];
  return cluster.isWorker && slot !== undefined ? Number(slot) : undefined;
}

/** What runService needs from a service that can run as workers (asked in the primary only). */
export interface ClusterPlan {
  /** Worker processes; 1 runs the service in this one process, as without a plan. */
  workers: number;
  /**
   * Runs in the primary before any worker starts; its `env` is added to every worker's. Its own
   * metrics go into `registry` (shown with `worker="primary"`).
   */
  primary?: (context: { log: Logger; registry: Registry }) => Promise<{ env?: Record<string, string>; close(): Promise<void> }>;
}

type Message =
  | { type: 'service:ready'; url: string }
  | { type: 'service:drain' }
  | { type: 'service:draining'; reason: string }
  | { type: 'service:metrics'; id: number; metrics?: unknown[]; error?: string }
  | { type: 'service:cluster-metrics'; id: number; text?: string };

const isMessage = (value: unknown): value is Message =>
  typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string' && (value as { type: string }).type.startsWith('service:');

/** How long a scrape waits for one worker's metrics before it leaves that worker out. */
const METRICS_TIMEOUT_MS = 5_000;

/** Restart delays of a crashed worker: 0.5 s doubling to 10 s, back to 0.5 s after 30 s up. */
const RESTART_MIN_MS = 500;
const RESTART_MAX_MS = 10_000;
const STABLE_AFTER_MS = 30_000;

type Sender = { send?: (message: Message, callback: (error: Error | null) => void) => unknown };

function send(target: Sender | Worker, message: Message) {
  // A closed channel (the peer is exiting or gone) is reported to the callback, which keeps it
  // from being an 'error' event that would crash this process: there is nothing to tell it any more.
  try {
    (target as Sender).send?.(message, () => {});
  } catch {
    // Closed before the call: the same.
  }
}

/**
 * Runs in each worker once its service listens: answers the primary's metrics requests, drains on
 * the primary's word, on a signal of its own (a terminal's Ctrl-C reaches every process of the
 * group) or when the primary is gone, and tells the primary it is ready. Only the primary
 * escalates (second signal, deadline): here every stop request is the same one.
 */
export function serveAsWorker(
  service: { url: string; close(): Promise<void>; metrics: { registry: Registry } },
  log: Logger,
  options: { timeoutMs: number },
): void {
  const registry = service.metrics.registry;
  const ownExposition = registry.metrics.bind(registry);
  let nextId = 0;
  const waiting = new Map<number, (text: string | undefined) => void>();
  // A worker's public /metrics (development) shows the whole service, as METRICS_PORT does:
  // one scrape of any worker must not look like the whole gateway when it is a part of it.
  registry.metrics = () =>
    new Promise<string>((resolve) => {
      const id = nextId++;
      const timer = setTimeout(() => settle(undefined), METRICS_TIMEOUT_MS * 2);
      const settle = (text: string | undefined) => {
        clearTimeout(timer);
        waiting.delete(id);
        resolve(text ?? ownExposition());
      };
      waiting.set(id, settle);
      send(process, { type: 'service:cluster-metrics', id });
    });

  let draining = false;
  const drain = (reason: string) => {
    if (draining) return;
    draining = true;
    log.info({ reason }, `worker draining (at most ${options.timeoutMs} ms), then exiting`);
    if (reason !== 'primary') send(process, { type: 'service:draining', reason });
    drainThenExit(() => service.close(), log, options.timeoutMs);
  };
  process.on('message', (message: unknown) => {
    if (!isMessage(message)) return;
    if (message.type === 'service:drain') drain('primary');
    else if (message.type === 'service:metrics') {
      registry.getMetricsAsJSON().then(
        (metrics) => send(process, { type: 'service:metrics', id: message.id, metrics }),
        (error: Error) => send(process, { type: 'service:metrics', id: message.id, error: error.message }),
      );
    } else if (message.type === 'service:cluster-metrics') waiting.get(message.id)?.(message.text);
  });
  process.on('SIGTERM', () => drain('SIGTERM'));
  process.on('SIGINT', () => drain('SIGINT'));
  // node:cluster exits a worker at once when its channel to the primary closes unexpectedly,
  // cutting off the requests it accepted (their connections are the worker's own); marked as
  // expected, the disconnect drains them instead.
  if (cluster.worker) cluster.worker.exitedAfterDisconnect = true;
  process.on('disconnect', () => drain('primary gone'));
  send(process, { type: 'service:ready', url: service.url });
}

/** Before its service is up, a worker asked to stop has nothing in flight: it exits at once. */
export function exitWorkerOnStopUntilReady(): () => void {
  const onMessage = (message: unknown) => {
    if (isMessage(message) && message.type === 'service:drain') process.exit(0);
  };
  const onStop = () => process.exit(0);
  process.on('message', onMessage);
  for (const event of ['SIGTERM', 'SIGINT', 'disconnect'] as const) process.on(event, onStop);
  return () => {
    process.off('message', onMessage);
    for (const event of ['SIGTERM', 'SIGINT', 'disconnect'] as const) process.off(event, onStop);
  };
}

export interface Workers {
  /**
   * Settles once every first worker is ready (rejects when one exits before it is). Once `stop`
   * was called it never settles: a worker that was starting is gone, not failed.
   */
  ready: Promise<void>;
  /** The service's public URL, as the workers report it. */
  url: string;
  /** Prometheus text of every worker (label `worker="0".."N-1"`) and the primary (`worker="primary"`). */
  collect(): Promise<string>;
  /** Drains every worker (requests in flight finish); rejects if one did not exit 0. */
  stop(): Promise<void>;
}

/**
 * Forks `count` workers at once and returns their handle: `ready` resolves once all of them listen
 * and fails (killing the others) when one exits before it is, so a misconfigured service still
 * fails its start. Later, a worker that exits is logged and replaced after a backoff. `stop`
 * works from the first moment: a worker serves as soon as it listens, before its siblings do.
 */
export function superviseWorkers(options: {
  count: number;
  env: Record<string, string>;
  log: Logger;
  /** The primary's own metrics. */
  registry: Registry;
}): Workers {
  const { count, log, registry } = options;
  // `stopping`: the worker drains on a signal of its own (a Ctrl-C reaches the whole group first).
  const slots: Array<{ worker: Worker; ready: boolean; startedAt: number; stopping: boolean } | undefined> = new Array(count);
  const restartDelay: number[] = new Array(count).fill(0);
  const restartTimers = new Set<NodeJS.Timeout>();
  const pendingMetrics = new Map<number, { worker: Worker; settle: (metrics: unknown[] | undefined) => void }>();
  let nextRequest = 0;
  let stopping = false;
  let started = false;
  let url = '';
  const exitCodes: Array<number | null> = [];
  let allGone: (() => void) | undefined;

  const restarts = new Counter({ name: 'service_worker_restarts_total', help: 'Workers replaced after they exited unexpectedly', registers: [registry] });
  new Gauge({
    name: 'service_workers_ready',
    help: 'Worker processes serving, out of service_workers_configured',
    registers: [registry],
    collect() {
      this.set(slots.filter((slot) => slot?.ready).length);
    },
  });
  new Gauge({ name: 'service_workers_configured', help: 'Worker processes the service is set to run (the gateway: GATEWAY_WORKERS)', registers: [registry] }).set(count);
  const scrapeGaps = new Counter({ name: 'service_worker_scrape_timeouts_total', help: 'Scrapes that left a worker out because it did not send its metrics in time', registers: [registry] });

  // Whatever ends the primary (a second signal, the drain deadline) takes its workers with it.
  process.on('exit', () => {
    for (const slot of slots) if (slot && slot.worker.process.exitCode === null) slot.worker.process.kill('SIGKILL');
  });

  // Settles once every first worker is ready, or the first time one exits before it is.
  let readyCount = 0;
  let firstStart!: { resolve: () => void; reject: (error: Error) => void };
  const allReady = new Promise<void>((resolve, reject) => {
    firstStart = { resolve, reject };
  });

  function fork(slot: number) {
    const worker = cluster.fork({ ...options.env, [SLOT_VARIABLE]: String(slot) });
    const entry = { worker, ready: false, startedAt: Date.now(), stopping: false };
    slots[slot] = entry;
    worker.on('message', (message: unknown) => {
      if (!isMessage(message)) return;
      if (message.type === 'service:ready') {
        entry.ready = true;
        url = message.url;
        if (!started) {
          readyCount += 1;
          if (readyCount === count) firstStart.resolve();
        } else log.info({ worker: slot, pid: worker.process.pid }, 'replacement worker ready');
        if (stopping) send(worker, { type: 'service:drain' });
      } else if (message.type === 'service:draining') {
        entry.stopping = true;
      } else if (message.type === 'service:metrics') {
        pendingMetrics.get(message.id)?.settle(message.error ? undefined : message.metrics);
      } else if (message.type === 'service:cluster-metrics') {
        void collect().then((text) => send(worker, { type: 'service:cluster-metrics', id: message.id, text }));
      }
    });
    worker.on('exit', (code, signal) => {
      if (slots[slot] === entry) slots[slot] = undefined;
      // A scrape waiting for this worker's metrics goes on without them at once.
      for (const pending of [...pendingMetrics.values()]) if (pending.worker === worker) pending.settle(undefined);
      if (stopping) {
        exitCodes.push(code);
        if (slots.every((s) => s === undefined)) allGone?.();
        return;
      }
      if (!started) {
        firstStart.reject(new Error(`worker ${slot} exited (code ${code}, signal ${signal}) before it was ready`));
        return;
      }
      const lived = Date.now() - entry.startedAt;
      restartDelay[slot] = lived >= STABLE_AFTER_MS ? RESTART_MIN_MS : Math.min(Math.max(restartDelay[slot]! * 2, RESTART_MIN_MS), RESTART_MAX_MS);
      const details = { worker: slot, pid: worker.process.pid, code, signal, restartInMs: restartDelay[slot] };
      // Stopped by a signal of its own: deliberate (or the primary's own signal is on its way and
      // cancels the restart); anything else is a crash.
      if (entry.stopping && code === 0) log.info(details, 'worker stopped on a signal of its own: replacing it');
      else {
        restarts.inc();
        log.error(details, 'worker exited unexpectedly: replacing it');
      }
      const timer = setTimeout(() => {
        restartTimers.delete(timer);
        if (!stopping) fork(slot);
      }, restartDelay[slot]);
      restartTimers.add(timer);
    });
  }

  function workerMetrics(worker: Worker): Promise<unknown[] | undefined> {
    return new Promise((resolve) => {
      const id = nextRequest++;
      const timer = setTimeout(() => {
        scrapeGaps.inc();
        log.warn({ pid: worker.process.pid }, 'a worker did not send its metrics in time: left out of this scrape');
        settle(undefined);
      }, METRICS_TIMEOUT_MS);
      const settle = (metrics: unknown[] | undefined) => {
        clearTimeout(timer);
        pendingMetrics.delete(id);
        resolve(metrics);
      };
      pendingMetrics.set(id, { worker, settle });
      send(worker, { type: 'service:metrics', id });
    });
  }

  async function collect(): Promise<string> {
    const serving = slots.flatMap((slot, index) => (slot?.ready && slot.worker.isConnected() ? [{ index, worker: slot.worker }] : []));
    const parts = await Promise.all(serving.map(async ({ index, worker }) => ({ worker: String(index), metrics: await workerMetrics(worker) })));
    const all = [{ worker: 'primary', metrics: (await registry.getMetricsAsJSON()) as unknown[] }, ...parts];
    // Each series keeps its worker label, so "sum" never adds two processes' values together:
    // every metric (gauges included) means what it meant in one process; queries sum or max.
    const labelled = all.flatMap(({ worker, metrics }) =>
      metrics ? [(metrics as Array<{ values: Array<{ labels: object }> }>).map((metric) => ({ ...metric, aggregator: 'sum', values: metric.values.map((value) => ({ ...value, labels: { ...value.labels, worker } })) }))] : [],
    );
    return AggregatorRegistry.aggregate(labelled).metrics();
  }

  for (let slot = 0; slot < count; slot++) fork(slot);
  const ready = allReady.then(
    () => {
      started = true;
    },
    (error: Error) => {
      stopping = true;
      for (const slot of slots) slot?.worker.process.kill('SIGKILL');
      throw error;
    },
  );

  return {
    ready,
    get url() {
      return url;
    },
    collect,
    async stop() {
      stopping = true; // from here no exit fails `ready` or is replaced
      for (const timer of restartTimers) clearTimeout(timer);
      const gone = new Promise<void>((resolve) => {
        allGone = resolve;
      });
      const live = slots.filter((slot) => slot !== undefined);
      for (const slot of live) send(slot.worker, { type: 'service:drain' });
      if (live.length > 0) await gone;
      const failed = exitCodes.filter((code) => code !== 0);
      if (failed.length > 0) throw new Error(`${failed.length} worker(s) did not drain cleanly (exit codes ${failed.join(', ')})`);
    },
  };
}
