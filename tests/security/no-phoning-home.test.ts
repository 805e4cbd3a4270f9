import dc from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { startGatewayReplica } from '../support/gateways.ts';
import { graphql } from '../support/graphql.ts';

/**
 * @apollo/gateway, unless APOLLO_TELEMETRY_DISABLED is set, probes the metadata addresses of four
 * clouds when it is created (100.100.100.200, 169.254.169.254 twice, metadata.google.internal) and
 * sends usage metrics to Apollo every hour. Our gateway turns that off unless the operator asks for
 * it (ADR 0023): every outgoing request of a gateway that starts and answers goes to a subgraph.
 */
const outgoing: string[] = [];
const onHttp = (message: unknown) => {
  const { request } = message as { request: { host: string; path: string } };
  outgoing.push(`http://${request.host}${request.path}`);
};
const onUndici = (message: unknown) => {
  const { request } = message as { request: { origin: string; path: string } };
  outgoing.push(`${request.origin}${request.path}`);
};
dc.subscribe('http.client.request.start', onHttp);
dc.subscribe('undici:request:create', onUndici);
afterEach(() => {
  outgoing.length = 0;
});

describe('the gateway does not phone home', () => {
  it('a gateway started without APOLLO_TELEMETRY_DISABLED in its environment requests nothing but its subgraphs', async () => {
    delete process.env.APOLLO_TELEMETRY_DISABLED; // as an operator's environment has it
    const gateway = await startGatewayReplica();
    const answer = await graphql(gateway.url, '{ products(first: 1) { edges { node { id name } } } }');
    expect(answer.errors).toBeUndefined();
    // The probes start as the gateway is created; give any late one time to show.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const foreign = outgoing.filter((url) => !/^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(url));
    expect(foreign).toEqual([]);
    // The listener saw the gateway's own subgraph requests, so it would have seen the probes too.
    expect(outgoing.length).toBeGreaterThan(0);
  });
});
