import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { createMetricsApp, createServiceMetrics, listen } from '@supergraph/service-kit';
import { startGatewayReplica } from '../support/gateways.ts';
import { startBuiltService } from '../support/processes.ts';

/**
 * In production `/metrics` answered on the public gateway port (supergraph hash, Redis state,
 * breakers). Every service now serves metrics on an internal listener of its own (METRICS_PORT);
 * with NODE_ENV=production the public port answers 404 there.
 */
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGTERM');
});

/** A service's built entry, as production runs it; its URLs as its "ready" log line names them. */
async function startProcess(service: string, env: Record<string, string>): Promise<{ url: string; metrics: string }> {
  const running = await startBuiltService(service, env, 90_000);
  children.push(running.child);
  return { url: running.url, metrics: running.metricsUrl };
}

const PRODUCTION_SECRETS = {
  NODE_ENV: 'production',
  JWT_SECRET: 'metrics-test-user-token-secret-0123456789',
  INTERNAL_TOKEN_SECRET: 'metrics-test-internal-token-secret-0123456789',
};

describe('/metrics is internal in production', () => {
  it('a gateway process started with NODE_ENV=production answers 404 on the public /metrics and serves them on METRICS_PORT', { timeout: 120_000 }, async () => {
    const gateway = await startProcess('gateway', PRODUCTION_SECRETS);
    const publicBase = new URL(gateway.url).origin;
    expect((await fetch(`${publicBase}/healthz`)).status).toBe(200);
    const exposed = await fetch(`${publicBase}/metrics`);
    expect(exposed.status).toBe(404);
    expect(await exposed.text()).not.toMatch(/supergraph_version_info|redis_|subgraph_circuit_open/);

    const internal = await fetch(gateway.metrics);
    expect(internal.status).toBe(200);
    expect(await internal.text()).toMatch(/supergraph_version_info\{/);
    expect(new URL(gateway.metrics).port).not.toBe(new URL(gateway.url).port);
    // The internal listener serves metrics only: no GraphQL there.
    expect((await fetch(`${new URL(gateway.metrics).origin}/graphql`, { method: 'POST' })).status).toBe(404);
  });

  it('a subgraph process (the service kit) does the same', { timeout: 120_000 }, async () => {
    const products = await startProcess('products', { ...PRODUCTION_SECRETS, DATA_DIR: 'memory://', SEED: 'none' });
    expect((await fetch(`${new URL(products.url).origin}/metrics`)).status).toBe(404);
    const internal = await fetch(products.metrics);
    expect(internal.status).toBe(200);
    expect(await internal.text()).toMatch(/db_queries_total/);
  });

  it('a gateway built without public metrics, as production builds it, keeps them off its public app', async () => {
    const gateway = await startGatewayReplica({ publicMetrics: false });
    expect((await fetch(gateway.metricsUrl)).status).toBe(404);
    expect((await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' })).status).toBe(200);
  });

  it('development and tests keep /metrics on the main port too', async () => {
    const gateway = await startGatewayReplica();
    expect((await fetch(gateway.metricsUrl)).status).toBe(200);
  });

  it('the internal metrics app answers nothing but /metrics', async () => {
    const running = await listen(createMetricsApp(createServiceMetrics('probe', { defaultMetrics: false })), 0, '127.0.0.1');
    try {
      expect((await fetch(`${running.url}/metrics`)).status).toBe(200);
      expect((await fetch(`${running.url}/readyz`)).status).toBe(404);
    } finally {
      await running.close();
    }
  });
});
