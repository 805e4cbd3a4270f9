// How a service process ends once told to stop: by a signal (http.ts onShutdownSignal) or, as a
// cluster worker, by its primary (cluster.ts).

/** Runs `stop` and exits 0; exits 1 when it fails or is still running after `timeoutMs`. */
export function drainThenExit(stop: () => Promise<void>, log: { info: (msg: string) => void; error: (obj: unknown, msg: string) => void }, timeoutMs: number): void {
  const deadline = setTimeout(() => {
    log.error({ timeoutMs }, `still draining after ${timeoutMs} ms (SHUTDOWN_TIMEOUT_MS): exiting now`);
    process.exit(1);
  }, timeoutMs);
  stop().then(
    () => {
      clearTimeout(deadline);
      log.info('stopped cleanly');
      process.exit(0);
    },
    (error) => {
      log.error(error, 'shutdown failed');
      process.exit(1);
    },
  );
}
