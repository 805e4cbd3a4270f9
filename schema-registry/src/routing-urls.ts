import { RegistryError } from './errors.ts';

/**
 * A routing URL is where every gateway sends a subgraph's fetches, with the caller's identity
 * token: moving one is a change of trust, not of schema (ADR 0011). So it is a change of its own
 * in every report, only an admin may make it, and an optional allow-list of hosts
 * (REGISTRY_ROUTING_URL_HOSTS) binds admins too.
 */
export interface RoutingUrlChange {
  subgraph: string;
  from: string;
  to: string;
}

export class RoutingUrlPolicy {
  /**
   * @param hosts allowed hosts: `users.internal` (that host, any port), `users.internal:4002`
   *   (that port only) or `*.svc.cluster.local` (any host below it); empty: any host.
   */
  constructor(readonly hosts: readonly string[] = []) {}

  /** Refuses a routing URL outside the allow-list, whoever sets it. */
  assertAllowed(subgraph: string, url: string) {
    if (this.hosts.length === 0) return;
    const { hostname, host } = new URL(url);
    const allowed = this.hosts.some((entry) => entry === hostname || entry === host || (entry.startsWith('*.') && hostname.endsWith(entry.slice(1))));
    if (!allowed) {
      throw new RegistryError('ROUTING_URL_NOT_ALLOWED', 403, `The routing URL of ${subgraph} is on host ${host}, which REGISTRY_ROUTING_URL_HOSTS does not list; nothing was changed`, {
        subgraph,
        allowedHosts: this.hosts,
      });
    }
  }

  /** Refuses routing-URL changes to a token that may not make them. */
  assertMayChange(changes: RoutingUrlChange[], mayChange: boolean) {
    if (changes.length === 0 || mayChange) return;
    const what = changes.map((c) => `the routing URL of ${c.subgraph} (${c.from} -> ${c.to})`).join(', ');
    throw new RegistryError(
      'FORBIDDEN',
      403,
      `This would change ${what}: gateways send identity tokens there, so an admin must make this change (with an ADMIN registry token); nothing was changed`,
      { routingUrlChanges: changes },
    );
  }
}

/** `REGISTRY_ROUTING_URL_HOSTS=a.internal,*.svc.cluster.local` as a list. */
export const parseRoutingUrlHosts = (setting: string | undefined) =>
  (setting ?? '')
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter(Boolean);

/** What changed between two sets of routing URLs (subgraph -> URL), for subgraphs in both. */
export function routingUrlChanges(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): RoutingUrlChange[] {
  return [...after]
    .filter(([subgraph, url]) => before.has(subgraph) && before.get(subgraph) !== url)
    .map(([subgraph, to]) => ({ subgraph, from: before.get(subgraph)!, to }))
    .sort((a, b) => a.subgraph.localeCompare(b.subgraph));
}
