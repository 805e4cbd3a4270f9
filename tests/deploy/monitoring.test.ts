// Every metric the PrometheusRule and the Grafana dashboard name is exported by a running service:
// the whole stack's /metrics (gateway, subgraphs), a schema registry's and a gateway polling it
// (its registry_* metrics exist only then) are scraped. Recording rules used are recorded; `up` is
// Prometheus' own. The probe paths the Deployments use answer on the running services too.
import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventBus, type EventBus } from '@supergraph/service-kit';
import { repoPath } from '../../scripts/paths.ts';
import { startGatewayReplica, stackSubgraphUrls } from '../support/gateways.ts';
import { stack } from '../support/graphql.ts';
import { REGISTRY_TEST_TOKENS, startRegistry } from '../support/registry.ts';
import { render, type K8sObject } from './kustomize.ts';

const monitoring = render(repoPath('k8s', 'monitoring'));
const rules = monitoring.find((o) => o.kind === 'PrometheusRule')! as K8sObject;
const dashboard = JSON.parse(monitoring.find((o) => o.kind === 'ConfigMap')!.data['supergraph.json']) as { panels: { title: string; targets: { expr: string }[] }[] };

const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/** Metric and recording-rule names a PromQL expression reads. */
export function namesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const name = match[0];
    const after = stripped.slice(match.index! + name.length);
    if (/^\s*\(/.test(after) || PROMQL_WORDS.has(name.toLowerCase())) continue; // a function or an operator
    names.add(name);
  }
  return [...names];
}

/** Names a Prometheus text exposition declares, with a histogram's _bucket, _sum and _count series. */
function exported(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === 'histogram' || type === 'summary') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

const ruleExprs = (): { where: string; expr: string }[] =>
  rules.spec.groups.flatMap((group: any) => group.rules.map((rule: any) => ({ where: `${group.name}/${rule.alert ?? rule.record}`, expr: String(rule.expr) })));
const dashboardExprs = () => dashboard.panels.flatMap((panel) => panel.targets.map((t) => ({ where: `dashboard/${panel.title}`, expr: t.expr })));
const recorded = () => new Set<string>(rules.spec.groups.flatMap((group: any) => group.rules.filter((r: any) => r.record).map((r: any) => r.record as string)));

describe('monitoring (k8s/monitoring) against the running services', () => {
  const scraped = new Set<string>(['up']);
  const bases: string[] = [];
  let bus: EventBus | undefined;
  afterAll(async () => {
    await bus?.close();
  });

  beforeAll(async () => {
    const registry = await startRegistry();
    // A gateway polling the registry, with Redis (the machine's, or one that is down: its Redis
    // metrics are exported either way, which is what the Redis-down alert reads).
    const polling = await startGatewayReplica({
      registry: { url: registry.url, token: REGISTRY_TEST_TOKENS.gateway, pollIntervalMs: 60_000 },
      subgraphUrls: stackSubgraphUrls(),
      redisUrl: stack().redisUrl ?? 'redis://127.0.0.1:1',
    });
    if (!stack().redisUrl) {
      // Without REDIS_URL the stack's subgraphs run the in-process bus; the Redis bus they run in a
      // cluster exports its own metrics: the kit's bus, as a subgraph creates it, on a Redis that is down.
      const registryOfBus = new Registry();
      bus = createEventBus({ redisUrl: 'redis://127.0.0.1:1', channelPrefix: 'deploy-test:', registry: registryOfBus });
      for (const name of exported(await registryOfBus.metrics())) scraped.add(name);
    }
    bases.push(stack().gatewayUrl.replace(/\/graphql$/, ''), ...Object.values(stack().subgraphs).map((s) => s.url.replace(/\/graphql$/, '')), registry.url);
    for (const url of [...bases.map((base) => `${base}/metrics`), polling.metricsUrl]) {
      const response = await fetch(url);
      expect(response.status, url).toBe(200);
      for (const name of exported(await response.text())) scraped.add(name);
    }
  });

  it('finds the expressions and understands them', () => {
    expect(ruleExprs().length).toBeGreaterThan(20);
    expect(dashboardExprs().length).toBeGreaterThan(10);
    expect(namesIn('sum by (le, operation) (rate(graphql_request_duration_seconds_bucket{le="0.5"}[5m])) / on (x) supergraph:x:ratio_rate5m > (14.4 * 0.005)')).toEqual([
      'graphql_request_duration_seconds_bucket',
      'supergraph:x:ratio_rate5m',
    ]);
  });

  it('names only metrics a running service exports, and recording rules it records', () => {
    const missing: string[] = [];
    for (const { where, expr } of [...ruleExprs(), ...dashboardExprs()]) {
      for (const name of namesIn(expr)) {
        const known = name.includes(':') ? recorded().has(name) : scraped.has(name);
        if (!known) missing.push(`${where}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('alerts on the SLOs with multi-window burn rates, and on each dependency the issue names', () => {
    const alerts = rules.spec.groups.flatMap((g: any) => g.rules.filter((r: any) => r.alert)) as { alert: string; expr: string; labels: { severity: string } }[];
    for (const slo of ['GraphQLErrorBudgetBurn', 'GraphQLLatencyBudgetBurn']) {
      const windows = alerts.filter((a) => a.alert === slo);
      expect(windows.map((a) => a.expr.match(/ratio_rate(\w+) >.* and .*ratio_rate(\w+) >/)!.slice(1).join('+'))).toEqual(['1h+5m', '6h+30m', '1d+2h', '3d+6h']);
    }
    expect(alerts.find((a) => a.alert === 'GraphQLErrorBudgetBurn')!.expr).toContain('(14.4 * 0.005)');
    expect(alerts.find((a) => a.alert === 'GraphQLLatencyBudgetBurn')!.expr).toContain('(14.4 * 0.05)');
    expect(rules.spec.groups.flatMap((g: any) => g.rules).find((r: any) => r.record === 'supergraph:graphql_slow:ratio_rate5m').expr).toContain('le="0.5"');
    for (const name of ['SubgraphDown', 'SubgraphCircuitOpen', 'GatewayRedisDown', 'EventBusRedisDown', 'RegistryPollsFailing', 'OrdersStuckPending', 'OutboxLagging']) {
      expect(alerts.map((a) => a.alert)).toContain(name);
    }
  });

  it('has a dashboard reading its datasource variable, and ServiceMonitors on the metrics port', () => {
    const serviceMonitor = monitoring.find((o) => o.kind === 'ServiceMonitor')!;
    expect(serviceMonitor.spec.endpoints.map((e: any) => e.port)).toEqual(['metrics']);
    expect(serviceMonitor.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/part-of': 'supergraph' });
    expect(readFileSync(repoPath('k8s/monitoring/dashboards/supergraph.json'), 'utf8')).toContain('${datasource}');
  });

  it('probes paths the running services answer: /healthz and /readyz', async () => {
    const base = render(repoPath('k8s', 'base'));
    const paths = new Set(
      base
        .filter((o) => o.kind === 'Deployment')
        .flatMap((d) => ['livenessProbe', 'readinessProbe', 'startupProbe'].map((probe) => d.spec.template.spec.containers[0][probe].httpGet.path as string)),
    );
    expect([...paths].sort()).toEqual(['/healthz', '/readyz']);
    for (const url of bases) for (const path of paths) expect((await fetch(`${url}${path}`)).status, `${url}${path}`).toBe(200);
  });
});

describe('alert runbooks', () => {
  it('link to a heading of docs/operations/capacity-plan.md that exists, one per alert', () => {
    const plan = readFileSync(repoPath('docs/operations/capacity-plan.md'), 'utf8');
    // GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens.
    const anchors = new Set([...plan.matchAll(/^#+ (.+)$/gm)].map((m) => m[1]!.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')));
    const alerts = rules.spec.groups.flatMap((g: any) => g.rules.filter((r: any) => r.alert)) as { alert: string; annotations: { runbook_url: string } }[];
    for (const { alert, annotations } of alerts) {
      const [file, anchor] = annotations.runbook_url.split('#');
      expect(file, alert).toMatch(/\/docs\/operations\/capacity-plan\.md$/);
      expect(anchors.has(anchor!), `${alert}: #${anchor}`).toBe(true);
    }
  });
});
