import { describe, expect, it } from 'vitest';
import { RegistryError } from './errors.ts';
import { parseRoutingUrlHosts, routingUrlChanges, RoutingUrlPolicy } from './routing-urls.ts';

const refusedCode = (fn: () => void) => {
  try {
    fn();
    return null;
  } catch (error) {
    return (error as RegistryError).code;
  }
};

describe('routing URL policy', () => {
  const policy = new RoutingUrlPolicy(parseRoutingUrlHosts(' users.internal , orders.internal:4003,*.svc.cluster.local,'));

  it('allows a listed host (any port), a listed host:port, and hosts below a wildcard', () => {
    expect(refusedCode(() => policy.assertAllowed('users', 'http://users.internal:9999/graphql'))).toBeNull();
    expect(refusedCode(() => policy.assertAllowed('orders', 'http://orders.internal:4003/graphql'))).toBeNull();
    expect(refusedCode(() => policy.assertAllowed('users', 'https://users.shop.svc.cluster.local/graphql'))).toBeNull();
  });

  it('refuses every other host, the wrong port, and look-alike suffixes', () => {
    expect(refusedCode(() => policy.assertAllowed('users', 'http://users.internal.evil.example/graphql'))).toBe('ROUTING_URL_NOT_ALLOWED');
    expect(refusedCode(() => policy.assertAllowed('orders', 'http://orders.internal:4004/graphql'))).toBe('ROUTING_URL_NOT_ALLOWED');
    expect(refusedCode(() => policy.assertAllowed('users', 'http://evilsvc.cluster.local/graphql'))).toBe('ROUTING_URL_NOT_ALLOWED');
    expect(refusedCode(() => policy.assertAllowed('users', 'http://svc.cluster.local/graphql'))).toBe('ROUTING_URL_NOT_ALLOWED');
  });

  it('allows any host without a list, and refuses changes to a token that may not make them', () => {
    expect(refusedCode(() => new RoutingUrlPolicy().assertAllowed('users', 'http://anywhere.example/graphql'))).toBeNull();
    const change = [{ subgraph: 'users', from: 'http://a/graphql', to: 'http://b/graphql' }];
    expect(refusedCode(() => policy.assertMayChange(change, false))).toBe('FORBIDDEN');
    expect(refusedCode(() => policy.assertMayChange(change, true))).toBeNull();
    expect(refusedCode(() => policy.assertMayChange([], false))).toBeNull();
  });

  it('reports changed URLs of subgraphs present on both sides only', () => {
    const before = new Map([['users', 'http://a'], ['orders', 'http://o']]);
    const after = new Map([['users', 'http://b'], ['orders', 'http://o'], ['loyalty', 'http://l']]);
    expect(routingUrlChanges(before, after)).toEqual([{ subgraph: 'users', from: 'http://a', to: 'http://b' }]);
  });
});
