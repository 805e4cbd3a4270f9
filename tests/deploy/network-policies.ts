// Which pod may open which port of which other pod, by the rendered NetworkPolicies: the subset
// of Kubernetes' semantics the manifests use (pod and namespace selectors with matchLabels,
// numbered or named TCP ports, policyTypes). A selector form this does not know is refused.
import type { K8sObject } from './kustomize.ts';

export interface Pod {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  /** Named container ports (for policies that name a port). */
  ports: Record<string, number>;
}

type Selector = { matchLabels?: Record<string, string>; matchExpressions?: unknown[] } | undefined;
type Peer = { podSelector?: Selector; namespaceSelector?: Selector; ipBlock?: unknown };
type PortRule = { protocol?: string; port?: number | string };

function matches(selector: Selector, labels: Record<string, string>): boolean {
  if (selector?.matchExpressions) throw new Error('matchExpressions are not evaluated by this test');
  return Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

const namespaceLabels = (namespace: string) => ({ 'kubernetes.io/metadata.name': namespace });

function peerMatches(peer: Peer, policyNamespace: string, pod: Pod): boolean {
  if (peer.ipBlock) throw new Error('ipBlock peers are not evaluated by this test');
  const namespaceOk = peer.namespaceSelector ? matches(peer.namespaceSelector, namespaceLabels(pod.namespace)) : pod.namespace === policyNamespace;
  return namespaceOk && (peer.podSelector ? matches(peer.podSelector, pod.labels) : true);
}

function portMatches(rules: PortRule[] | undefined, target: Pod, port: number): boolean {
  if (!rules || rules.length === 0) return true;
  return rules.some((rule) => (rule.protocol ?? 'TCP') === 'TCP' && (rule.port === undefined || rule.port === port || (typeof rule.port === 'string' && target.ports[rule.port] === port)));
}

export function podsOf(objects: K8sObject[]): Pod[] {
  return objects
    .filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet' || o.kind === 'Job')
    .map((o) => ({
      name: o.metadata.name,
      namespace: o.metadata.namespace ?? 'default',
      labels: o.spec.template.metadata.labels,
      ports: Object.fromEntries(o.spec.template.spec.containers.flatMap((c: any) => (c.ports ?? []).filter((p: any) => p.name).map((p: any) => [p.name, p.containerPort]))),
    }));
}

/** True when `from` may open a TCP connection to `to` on `port`. */
export function allowed(policies: K8sObject[], from: Pod, to: Pod, port: number): boolean {
  const selecting = (pod: Pod, type: 'Ingress' | 'Egress') =>
    policies.filter((p) => (p.metadata.namespace ?? 'default') === pod.namespace && matches(p.spec.podSelector, pod.labels) && (p.spec.policyTypes ?? ['Ingress']).includes(type));
  const ingressPolicies = selecting(to, 'Ingress');
  const ingressOk =
    ingressPolicies.length === 0 ||
    ingressPolicies.some((p) => (p.spec.ingress ?? []).some((rule: any) => (!rule.from || rule.from.some((peer: Peer) => peerMatches(peer, p.metadata.namespace!, from))) && portMatches(rule.ports, to, port)));
  const egressPolicies = selecting(from, 'Egress');
  const egressOk =
    egressPolicies.length === 0 ||
    egressPolicies.some((p) => (p.spec.egress ?? []).some((rule: any) => (!rule.to || rule.to.some((peer: Peer) => peerMatches(peer, p.metadata.namespace!, to))) && portMatches(rule.ports, to, port)));
  return ingressOk && egressOk;
}
