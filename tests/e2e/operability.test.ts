import { describe, expect, it } from 'vitest';
import { SUBGRAPH_NAMES } from '../../scripts/services.ts';
import { stack } from '../support/graphql.ts';

const base = (graphqlUrl: string) => graphqlUrl.replace(/\/graphql$/, '');

describe('health, readiness and metrics', () => {
  it.each([...SUBGRAPH_NAMES, 'gateway' as const])('%s answers /healthz, /readyz and /metrics', async (name) => {
    const url = base(name === 'gateway' ? stack().gatewayUrl : stack().subgraphs[name].url);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('http_request_duration_seconds');
    if (name !== 'gateway') expect(metrics).toContain('db_queries_total');
  });
});
