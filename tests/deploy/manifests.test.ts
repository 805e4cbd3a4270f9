// k8s/ rendered as `kubectl apply -k` would (tests/deploy/kustomize.ts), checked against the
// Kubernetes API schemas and against the code: ports, probes, settings, secrets, drain time,
// selectors and who may reach whom. Fails when manifests and code drift apart.
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { BUILD_TARGETS } from '../../scripts/build.ts';
import { SUBGRAPH_NAMES } from '../../scripts/services.ts';
import { DEV_SECRET_MARK, assertNoDevSecretsInProduction } from '@supergraph/service-kit';
import { repoPath } from '../../scripts/paths.ts';
import { imageRuntime, SERVICE_FOLDERS } from './dockerfile.ts';
import { render, readYamlObjects, type K8sObject } from './kustomize.ts';
import { allowed, podsOf, type Pod } from './network-policies.ts';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS, DEPLOYABLE_SERVICES, RUN_SERVICE_SETTINGS, knownSettings, requiredSettings, runServiceSettingsInSource } from './services.ts';

const OVERLAYS = ['local', 'production'] as const;
const rendered = Object.fromEntries(OVERLAYS.map((overlay) => [overlay, render(repoPath('k8s', 'overlays', overlay))])) as Record<(typeof OVERLAYS)[number], K8sObject[]>;
/** CI's per-release publish Job (k8s/jobs), applied beside either overlay. */
const jobs = render(repoPath('k8s', 'jobs'));
const productionSecretTemplate = readYamlObjects(repoPath('k8s', 'overlays', 'production', 'secrets.template.yaml'));

const find = (objects: K8sObject[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};
const container = (deployment: K8sObject) => deployment.spec.template.spec.containers[0];
const matchLabels = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

/** kubernetes-models' class for an object (built-in kinds, and the Prometheus operator's). */
async function modelFor(object: K8sObject): Promise<new (data: unknown) => { validate(): void }> {
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
  const module =
    group === 'monitoring.coreos.com'
      ? await import(`@kubernetes-models/prometheus-operator/monitoring.coreos.com/${version}`)
      : await import(group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`);
  const model = module[object.kind];
  if (!model) throw new Error(`kubernetes-models has no ${object.apiVersion} ${object.kind}`);
  return model;
}

describe.each(OVERLAYS)('k8s/overlays/%s', (overlay) => {
  const objects = rendered[overlay];
  const namespace = 'supergraph';

  it('renders only objects valid against the Kubernetes API schemas, in the supergraph namespace', async () => {
    expect(objects.length).toBeGreaterThan(30);
    for (const object of objects) {
      const Model = await modelFor(object);
      expect(() => new Model(object).validate(), `${object.kind}/${object.metadata.name}`).not.toThrow();
      if (object.kind !== 'Namespace') expect(object.metadata.namespace, `${object.kind}/${object.metadata.name}`).toBe(namespace);
    }
  });

  describe.each(DEPLOYABLE_SERVICES)('$name', (service) => {
    const deployment = () => find(objects, 'Deployment', service.name);
    const podLabels = () => deployment().spec.template.metadata.labels as Record<string, string>;

    it('runs the image built for it with the image command, on the ports the code listens on', () => {
      const c = container(deployment());
      expect(c.image.split('/').pop().split(':')[0]).toMatch(new RegExp(`(^|-)${service.name}$`));
      expect(SERVICE_FOLDERS[service.name === 'schema-registry' ? 'registry' : service.name]).toBeDefined();
      // No command or args: the Dockerfile's CMD runs (tests/deploy/image-command.test.ts runs it).
      expect(c.command).toBeUndefined();
      expect(c.args).toBeUndefined();
      const ports = Object.fromEntries(c.ports.map((p: any) => [p.name, p.containerPort]));
      expect(ports).toEqual({ http: service.port, metrics: service.metricsPort });
      const env = Object.fromEntries((c.env ?? []).filter((e: any) => 'value' in e).map((e: any) => [e.name, e.value]));
      expect(env.PORT ?? String(service.port)).toBe(String(service.port));
      expect(env.METRICS_PORT ?? String(service.metricsPort)).toBe(String(service.metricsPort));
    });

    it('probes /healthz (liveness, start-up) and /readyz (readiness) on its public port', () => {
      const c = container(deployment());
      expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(c.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    });

    it('sets only settings the service knows, and every one it needs in a pod', () => {
      const names = (container(deployment()).env ?? []).map((e: any) => e.name as string);
      const known = knownSettings(service);
      for (const name of names) expect(known.has(name), `${service.name} does not read ${name}`).toBe(true);
      const image = imageRuntime(SERVICE_FOLDERS[service.name === 'schema-registry' ? 'registry' : service.name]!);
      for (const name of Object.keys(image.env)) expect(known.has(name), `the image sets ${name}, unknown to ${service.name}`).toBe(true);
      for (const name of requiredSettings(service)) expect(names, `${service.name} needs ${name}`).toContain(name);
      expect(new Set(names).size).toBe(names.length);
    });

    it('references only Secret keys that exist (production: in the template, never committed)', () => {
      for (const variable of container(deployment()).env ?? []) {
        const ref = variable.valueFrom?.secretKeyRef ?? variable.valueFrom?.configMapKeyRef;
        if (!ref) continue;
        const kind = variable.valueFrom.secretKeyRef ? 'Secret' : 'ConfigMap';
        const source = overlay === 'production' && kind === 'Secret' ? productionSecretTemplate : objects;
        const defined = find(source, kind, ref.name);
        expect(Object.keys({ ...defined.data, ...defined.stringData }), `${kind} ${ref.name}`).toContain(ref.key);
      }
      if (overlay === 'production') expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    });

    it('drains within its grace period: preStop sleep + SHUTDOWN_TIMEOUT_MS fit in terminationGracePeriodSeconds', () => {
      const pod = deployment().spec.template.spec;
      const c = container(deployment());
      const shutdownMs = Number(c.env.find((e: any) => e.name === 'SHUTDOWN_TIMEOUT_MS')?.value ?? DEFAULT_SHUTDOWN_TIMEOUT_MS);
      const preStop = c.lifecycle.preStop.exec.command as string[];
      expect(preStop[0]).toBe('sleep');
      expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThanOrEqual(Number(preStop[1]) * 1000 + shutdownMs);
      // The rolling update never takes a serving pod away before its replacement is ready.
      expect(deployment().spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    });

    it('runs non-root on a read-only filesystem as the image user, with requests, limits and topology spread', () => {
      const pod = deployment().spec.template.spec;
      const c = container(deployment());
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      const imageUser = imageRuntime(SERVICE_FOLDERS[service.name === 'schema-registry' ? 'registry' : service.name]!).user!;
      expect(String(pod.securityContext.runAsUser)).toBe(imageUser.split(':')[0]);
      expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      expect(c.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      expect(Object.keys(c.resources.requests).sort()).toEqual(['cpu', 'memory']);
      expect(Object.keys(c.resources.limits).sort()).toEqual(['cpu', 'memory']);
      expect(pod.topologySpreadConstraints.length).toBeGreaterThan(0);
      for (const constraint of pod.topologySpreadConstraints) expect(matchLabels(constraint.labelSelector.matchLabels, podLabels())).toBe(true);
    });

    it('has a Service, an autoscaler and a disruption budget that select its pods', () => {
      expect(matchLabels(deployment().spec.selector.matchLabels, podLabels())).toBe(true);
      const svc = find(objects, 'Service', service.name);
      expect(matchLabels(svc.spec.selector, podLabels())).toBe(true);
      expect(svc.spec.ports.map((p: any) => [p.name, p.port, p.targetPort])).toEqual([
        ['http', service.port, 'http'],
        ['metrics', service.metricsPort, 'metrics'],
      ]);
      const hpa = find(objects, 'HorizontalPodAutoscaler', service.name);
      expect(hpa.apiVersion).toBe('autoscaling/v2');
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: service.name });
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
      // The autoscaler owns the replica count: a re-apply must not reset it.
      expect(deployment().spec.replicas).toBeUndefined();
      const pdb = find(objects, 'PodDisruptionBudget', service.name);
      expect(matchLabels(pdb.spec.selector.matchLabels, podLabels())).toBe(true);
    });
  });

  it('sends the gateway Ingress (WebSocket upgrade on the same path) to the gateway Service', () => {
    const ingress = find(objects, 'Ingress', 'gateway');
    const path = ingress.spec.rules[0].http.paths[0];
    expect(path.path).toBe('/graphql');
    expect(path.backend.service).toEqual({ name: 'gateway', port: { name: 'http' } });
    expect(Number(ingress.metadata.annotations!['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(3600);
    expect(objects.filter((o) => o.kind === 'Ingress')).toHaveLength(1);
  });

  it('gives the gateway its registry (REGISTRY_URL: the registry Service, on its port)', () => {
    const env = container(find(objects, 'Deployment', 'gateway')).env;
    const url = new URL(env.find((e: any) => e.name === 'REGISTRY_URL').value);
    const registry = find(objects, 'Service', url.hostname);
    expect(registry.spec.ports.find((p: any) => p.name === 'http').port).toBe(Number(url.port));
  });

  it('points every service-to-service URL at a Service and port that exist', () => {
    for (const deployment of objects.filter((o) => o.kind === 'Deployment')) {
      for (const variable of container(deployment).env ?? []) {
        if (typeof variable.value !== 'string' || !/^https?:\/\//.test(variable.value)) continue;
        const url = new URL(variable.value);
        const svc = find(objects, 'Service', url.hostname);
        expect(svc.spec.ports.map((p: any) => p.port), `${deployment.metadata.name} ${variable.name}`).toContain(Number(url.port));
      }
    }
  });

  it('has NetworkPolicies whose selectors all match pods, and that allow exactly the calls the code makes', () => {
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    const pods = podsOf([...objects, ...jobs]);
    for (const policy of policies) {
      if (Object.keys(policy.spec.podSelector.matchLabels ?? {}).length === 0) continue;
      expect(pods.some((p) => matchLabels(policy.spec.podSelector.matchLabels, p.labels)), `NetworkPolicy ${policy.metadata.name}`).toBe(true);
    }
    const outsiders: Pod[] = [
      { name: 'client', namespace: 'default', labels: {}, ports: {} },
      { name: 'ingress-controller', namespace: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx' }, ports: {} },
      { name: 'prometheus', namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' }, ports: {} },
      { name: 'stray-pod', namespace, labels: {}, ports: {} },
    ];
    const services = DEPLOYABLE_SERVICES.map((s) => pods.find((p) => p.name === s.name)!);
    const reach: string[] = [];
    const publisher = pods.find((p) => p.name === 'publish-schemas')!;
    for (const from of [...outsiders, publisher, ...services]) {
      for (const [index, to] of services.entries()) {
        const { port, metricsPort } = DEPLOYABLE_SERVICES[index]!;
        if (allowed(policies, from, to, port)) reach.push(`${from.name} -> ${to.name}:http`);
        if (allowed(policies, from, to, metricsPort)) reach.push(`${from.name} -> ${to.name}:metrics`);
      }
    }
    const subgraphs = ['products', 'users', 'orders', 'inventory', 'reviews'];
    expect(reach.sort()).toEqual(
      [
        // Clients reach only the gateway, through the ingress controller.
        'ingress-controller -> gateway:http',
        // Prometheus scrapes every metrics port, nothing else.
        ...DEPLOYABLE_SERVICES.map((s) => `prometheus -> ${s.name}:metrics`),
        // The gateway: its registry and every subgraph's /graphql.
        'gateway -> schema-registry:http',
        ...subgraphs.map((s) => `gateway -> ${s}:http`),
        // CI's publish job (ADR 0013) reaches the registry; the registry checks each subgraph's served schema.
        'publish-schemas -> schema-registry:http',
        ...subgraphs.map((s) => `schema-registry -> ${s}:http`),
        // Orders: inventory's internal API (reservations) and products (prices); reviews: products;
        // products: inventory's and reviews' change feeds (its catalog copies, ADR 0016).
        'orders -> inventory:http',
        'orders -> products:http',
        'reviews -> products:http',
        'products -> inventory:http',
        'products -> reviews:http',
      ].sort(),
    );
  });
});

describe('the local overlay', () => {
  it('brings PostgreSQL and Redis, and its secrets pass each service in production mode', () => {
    const objects = rendered.local;
    find(objects, 'StatefulSet', 'postgres');
    find(objects, 'Deployment', 'redis');
    const secretValue = (name: string, key: string) => find(objects, 'Secret', name).stringData[key] as string;
    for (const service of DEPLOYABLE_SERVICES) {
      const c = container(find(objects, 'Deployment', service.name));
      const env: Record<string, string> = { ...imageRuntime(SERVICE_FOLDERS[service.name === 'schema-registry' ? 'registry' : service.name]!).env };
      for (const variable of c.env) env[variable.name] = variable.value ?? secretValue(variable.valueFrom.secretKeyRef.name, variable.valueFrom.secretKeyRef.key);
      expect(env.NODE_ENV).toBe('production');
      for (const schema of service.schemas) {
        const parsed = schema.parse(env) as Record<string, unknown>;
        const secrets = Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string' && /SECRET|TOKEN/.test(e[0])));
        expect(() => assertNoDevSecretsInProduction('production', secrets)).not.toThrow();
        for (const value of Object.values(secrets)) expect(value.startsWith(DEV_SECRET_MARK)).toBe(false);
      }
      const databaseUrl = env.DATABASE_URL;
      if (databaseUrl) expect(new URL(databaseUrl).hostname).toBe('postgres');
    }
  });
});

describe('k8s/jobs: the per-release schema publish', () => {
  const job = find(jobs, 'Job', 'publish-schemas');
  const config = parseYaml(find(jobs, 'ConfigMap', 'supergraph-in-cluster').data['supergraph.yaml']) as { subgraphs: Record<string, { routing_url: string; schema: { file: string } }> };

  it('is valid, and runs the built registry CLI of the registry image with the mounted config', async () => {
    for (const object of jobs) {
      const Model = await modelFor(object);
      expect(() => new Model(object).validate(), `${object.kind}/${object.metadata.name}`).not.toThrow();
    }
    const pod = job.spec.template.spec;
    const commands: string[][] = [];
    for (const c of [...pod.initContainers, ...pod.containers]) {
      expect(c.image.split(':')[0]).toMatch(/schema-registry$/);
      const [node, ...args] = c.command as string[];
      expect(node).toBe('node');
      const script = args.find((a) => a.endsWith('.js'))!;
      expect(BUILD_TARGETS.map((t) => t.outfile)).toContain(`${SERVICE_FOLDERS.registry}/${script}`);
      commands.push(args.slice(args.indexOf(script) + 1));
      const registry = new URL(args[args.indexOf('--registry') + 1]!);
      expect(Number(registry.port)).toBe(DEPLOYABLE_SERVICES.find((s) => s.name === registry.hostname)!.port);
      expect(c.env.map((e: any) => e.name)).toEqual(['REGISTRY_TOKEN']);
    }
    // First the supergraph (an init container: it must succeed before anything else), then the
    // operation lists the SDK of this build ships, for each client the SDK knows.
    expect(pod.initContainers.map((c: any) => c.command.slice(3, 5))).toEqual([['publish', '--config']]);
    const help = readFileSync(repoPath('schema-registry/src/cli/main.ts'), 'utf8');
    expect(help).toContain('publish --config <supergraph.yaml>');
    expect(help).toContain('operations <client> --sdk');
    expect(pod.containers.map((c: any) => c.command.slice(3, 6))).toEqual([
      ['operations', 'storefront', '--sdk'],
      ['operations', 'partner-catalog', '--sdk'],
    ]);
    const configPath = commands[0]![commands[0]!.indexOf('--config') + 1]!;
    const mount = pod.initContainers[0].volumeMounts.find((m: any) => configPath.startsWith(`${m.mountPath}/`));
    const volume = pod.volumes.find((v: any) => v.name === mount.name);
    expect(volume.configMap.name).toBe('supergraph-in-cluster');
  });

  it('publishes every subgraph at its Service, with the schema file the image has, on hosts the registry accepts', () => {
    expect(Object.keys(config.subgraphs).sort()).toEqual([...SUBGRAPH_NAMES].sort());
    const registryEnv = container(find(rendered.production, 'Deployment', 'schema-registry')).env;
    const allowedHosts = (registryEnv.find((e: any) => e.name === 'REGISTRY_ROUTING_URL_HOSTS').value as string).split(',');
    for (const [name, subgraph] of Object.entries(config.subgraphs)) {
      const url = new URL(subgraph.routing_url);
      expect(url.hostname).toBe(name);
      expect(Number(url.port)).toBe(DEPLOYABLE_SERVICES.find((s) => s.name === name)!.port);
      expect(url.pathname).toBe('/graphql');
      expect(allowedHosts).toContain(url.host);
      expect(subgraph.schema.file.startsWith('/app/')).toBe(true);
      expect(existsSync(repoPath(subgraph.schema.file.slice('/app/'.length)))).toBe(true);
    }
  });
});

describe('settings outside the schemas', () => {
  it('are the ones the service kit reads', () => {
    const { http, logger } = runServiceSettingsInSource();
    const runServiceSchema = http.slice(http.indexOf('const runServiceEnvSchema'), http.indexOf('export async function runService'));
    for (const name of RUN_SERVICE_SETTINGS) expect(runServiceSchema).toContain(`${name}:`);
    expect(logger).toContain('process.env.LOG_LEVEL');
  });
});

beforeAll(() => {
  // The object counts per overlay, for the record (ADR 0017, the note).
  for (const overlay of OVERLAYS) {
    const counts: Record<string, number> = {};
    for (const object of rendered[overlay]) counts[object.kind] = (counts[object.kind] ?? 0) + 1;
    console.log(`k8s/overlays/${overlay}: ${rendered[overlay].length} objects ${JSON.stringify(counts)}`);
  }
});
