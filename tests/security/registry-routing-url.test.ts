import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryClient } from '../../schema-registry/src/client.ts';
import { startGatewayReplica, stackSubgraphUrls } from '../support/gateways.ts';
import { graphql, stack } from '../support/graphql.ts';
import { newUser } from '../support/users.ts';
import { REGISTRY_TEST_TOKENS, repoSubgraph, repoSubgraphs, startRegistry, refusal, type TestRegistry } from '../support/registry.ts';
import { within } from '../support/wait.ts';

/**
 * Attack (issue 9, §3): with a PUBLISHER token, publish the unchanged `users` schema with a routing
 * URL of one's own. It was accepted with `changes: []`, and the gateway then sent every users
 * fetch, identity tokens included, to that URL. A routing-URL change is now an admin's, and it is
 * reported as one; an allow-list of hosts binds admins too; a gateway's own *_SUBGRAPH_URL
 * overrides still win over the registry.
 */
const POLL_MS = 100;
const ME = '{ me { id name } }';

let registry: TestRegistry;
let admin: RegistryClient;
let publisher: RegistryClient;
let usersUrl: string;
let rogue: { url: string; requests: number; authorizations: string[]; server: Server };



/** How many times the gateway has polled the registry for its supergraph, whatever it brought. */
const supergraphPolls = (metrics: string) =>
  metrics
    .split('\n')
    .filter((line) => line.startsWith('registry_polls_total{document="supergraph"'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
const runningVersion = (metrics: string) => /supergraph_version_info\{[^}]*version="(\d+)"/.exec(metrics)?.[1];

/** A server that records whatever the gateway sends it (the attacker's). */
async function rogueSubgraph() {
  const state = { url: '', requests: 0, authorizations: [] as string[], server: undefined as unknown as Server };
  state.server = createServer((req, res) => {
    state.requests++;
    for (const [name, value] of Object.entries(req.headers)) if (name.startsWith('x-supergraph') || name === 'authorization') state.authorizations.push(String(value));
    req.resume();
    res.writeHead(500).end();
  });
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}/graphql`;
  return state;
}

beforeAll(async () => {
  registry = await startRegistry();
  admin = registry.clientWith(REGISTRY_TEST_TOKENS.admin);
  publisher = registry.client;
  usersUrl = stackSubgraphUrls().users!;
  await publisher.publish(await repoSubgraphs(stackSubgraphUrls()), { author: 'security' });
  rogue = await rogueSubgraph();
});
afterAll(() => {
  rogue?.server.close();
});

describe('a routing-URL change through the schema registry', () => {
  it('is refused to a publisher (FORBIDDEN, an admin must do it), changes nothing, and the gateway never calls that URL', async () => {
    const gateway = await startGatewayReplica({ registry: { url: registry.url, token: REGISTRY_TEST_TOKENS.gateway, pollIntervalMs: POLL_MS }, subgraphUrls: {} });
    const user = await newUser('routing');

    const error = await refusal(publisher.publish([{ name: 'users', sdl: await repoSubgraph('users'), url: rogue.url }], { author: 'mallory' }));
    expect([error.status, error.code]).toEqual([403, 'FORBIDDEN']);
    expect(error.message).toMatch(/routing URL of users/);
    expect(error.message).toMatch(/admin/i);
    expect(error.details.routingUrlChanges).toEqual([{ subgraph: 'users', from: usersUrl, to: rogue.url }]);

    // A check (dry run) reports the move apart from schema changes, which there are none of.
    const checked = await publisher.check([{ name: 'users', sdl: await repoSubgraph('users'), url: rogue.url }]);
    expect(checked).toMatchObject({ changes: [], routingUrlChanges: [{ subgraph: 'users', from: usersUrl, to: rogue.url }] });

    const current = await publisher.subgraphs();
    expect(current.supergraphVersion).toBe(1);
    expect(current.subgraphs.find((s) => s.name === 'users')!.routingUrl).toBe(usersUrl);
    expect((await publisher.subgraphHistory('users')).versions).toHaveLength(1);

    // The gateway polls on; it still runs version 1 and asks the real users subgraph.
    const polled = supergraphPolls(await gateway.metrics());
    await within(5_000, async () => supergraphPolls(await gateway.metrics()) >= polled + 3);
    expect(runningVersion(await gateway.metrics())).toBe('1');
    const me = await graphql(gateway.url, ME, {}, { authorization: `Bearer ${user.token}` });
    expect(me.data?.me?.id).toBe(user.id);
    expect(rogue.requests).toBe(0);
  });

  it('is an admin’s, reported as a routing-URL change in the publish, the history and the diffs; *_SUBGRAPH_URL overrides still win', async () => {
    // A gateway whose deployment pins the users subgraph: the registry's routing URL must not move it.
    const pinned = await startGatewayReplica({ registry: { url: registry.url, token: REGISTRY_TEST_TOKENS.gateway, pollIntervalMs: POLL_MS }, subgraphUrls: { users: usersUrl } });
    const user = await newUser('routing-pinned');

    // deployFollows: the registry would otherwise ask the rogue URL for its schema (ADR 0013), and it answers none.
    const outcome = await admin.publish([{ name: 'users', sdl: await repoSubgraph('users'), url: rogue.url }], { author: 'admin', deployFollows: true });
    expect(outcome).toMatchObject({ status: 'published', supergraphVersion: 2, subgraphVersions: { users: 2 } });
    const change = { subgraph: 'users', from: usersUrl, to: rogue.url };
    expect(outcome.status === 'published' && outcome.report.routingUrlChanges).toEqual([change]);
    expect(outcome.status === 'published' && outcome.report.changes).toEqual([]); // the schema itself did not change

    const [latest] = (await publisher.supergraphHistory()).versions;
    expect(latest).toMatchObject({ version: 2, routingUrlChanges: [change] });
    expect((await publisher.diffSupergraph(1, 2)).routingUrlChanges).toEqual([change]);
    expect((await publisher.diffSubgraph('users', 1, 2)).routingUrl).toEqual({ from: usersUrl, to: rogue.url });

    await within(5_000, async () => runningVersion(await pinned.metrics()) === '2');
    const me = await graphql(pinned.url, ME, {}, { authorization: `Bearer ${user.token}` });
    expect(me.data?.me?.id).toBe(user.id);
    expect(rogue.requests).toBe(0);

    // Back where it was, by an admin too.
    expect(await admin.publish([{ name: 'users', sdl: await repoSubgraph('users'), url: usersUrl }], { author: 'admin' })).toMatchObject({ supergraphVersion: 3 });
  });

  it('by rolling back to a version with another routing URL is an admin’s too', async () => {
    const error = await refusal(publisher.rollback('users', 2, { author: 'mallory' }));
    expect([error.status, error.code]).toEqual([403, 'FORBIDDEN']);
    expect(error.details.routingUrlChanges).toEqual([{ subgraph: 'users', from: usersUrl, to: rogue.url }]);
    expect((await publisher.subgraphs()).supergraphVersion).toBe(3);
    // A rollback that keeps the routing URL stays a publisher's.
    expect(await publisher.rollback('users', 1, { author: 'publisher' })).toMatchObject({ status: 'published', supergraphVersion: 4 });
  });

  it('is refused for everyone, admins included, outside REGISTRY_ROUTING_URL_HOSTS; a new subgraph too', async () => {
    const guarded = await startRegistry({ routingUrlHosts: ['127.0.0.1', '*.svc.cluster.local'] });
    await guarded.client.publish(await repoSubgraphs(stackSubgraphUrls()), { author: 'security' });
    const guardedAdmin = guarded.clientWith(REGISTRY_TEST_TOKENS.admin);

    const moved = await refusal(guardedAdmin.publish([{ name: 'users', sdl: await repoSubgraph('users'), url: 'https://tokens.example.net/graphql' }], { author: 'admin' }));
    expect([moved.status, moved.code]).toEqual([403, 'ROUTING_URL_NOT_ALLOWED']);
    expect(moved.message).toContain('tokens.example.net');
    const added = await refusal(guarded.client.publish([{ name: 'loyalty', sdl: 'type Query { points: Int }', url: 'http://10.0.0.9:4000/graphql' }], { author: 'mallory' }));
    expect(added.code).toBe('ROUTING_URL_NOT_ALLOWED');
    const notHttp = await refusal(guardedAdmin.publish([{ name: 'users', sdl: await repoSubgraph('users'), url: 'file:///etc/passwd' }], { author: 'admin' }));
    expect(notHttp.code).toBe('BAD_REQUEST');
    expect((await guarded.client.subgraphs()).supergraphVersion).toBe(1);

    // A listed host (here by wildcard) is an admin's to route to.
    const allowed = await guardedAdmin.publish([{ name: 'users', sdl: await repoSubgraph('users'), url: 'http://users.shop.svc.cluster.local:4002/graphql' }], { author: 'admin', deployFollows: true });
    expect(allowed).toMatchObject({ status: 'published', supergraphVersion: 2 });
  });
});
