// Its own module: the launcher needs the port plan without loading express and prom-client.

/**
 * Default internal metrics port of a service, beside its public one: the gateway's 4000 gives
 * 9400, the subgraphs' 4001..4005 give 9401..9405, the registry's 4100 gives 9410, so that every
 * process of `npm start` on one machine gets its own.
 */
export function defaultMetricsPort(publicPort: number): number {
  return publicPort >= 4100 ? 9410 + (publicPort - 4100) : 9400 + (publicPort - 4000);
}
