import { readFile } from 'node:fs/promises';
import { afterAll } from 'vitest';
import { pino } from 'pino';
import { createGateway, type Gateway, type GatewayOptions } from '../../gateway/src/server.ts';
import { repoPath } from '../../scripts/paths.ts';
import { stack } from './graphql.ts';

/**
 * Gateway replicas of a test's own, in front of the stack's subgraphs, for what the shared
 * gateway cannot show: a second replica, a failing subgraph, Redis taken away, the cache on.
 * Closed after the test file.
 */
const started: Gateway[] = [];
afterAll(async () => {
  await Promise.all(started.splice(0).map((gateway) => gateway.close()));
});

export const stackSubgraphUrls = () => Object.fromEntries(Object.entries(stack().subgraphs).map(([name, s]) => [name, s.url]));

/** A gateway's options in front of the stack's subgraphs, for a test that manages the gateway itself. */
export const replicaOptions = async (overrides: Partial<GatewayOptions> = {}): Promise<GatewayOptions> => ({
  supergraphSdl: await readFile(repoPath('supergraph.graphql'), 'utf8'),
  subgraphUrls: stackSubgraphUrls(),
  userTokenSecret: stack().secrets.userToken,
  internalTokenSecret: stack().secrets.internalToken,
  development: false,
  log: pino({ level: 'silent' }),
  ...overrides,
});

export async function startGatewayReplica(overrides: Partial<GatewayOptions> = {}) {
  const gateway = await createGateway(await replicaOptions(overrides));
  started.push(gateway);
  const running = await gateway.listen(0);
  return {
    url: `${running.url}/graphql`,
    metricsUrl: `${running.url}/metrics`,
    metrics: async () => (await fetch(`${running.url}/metrics`)).text(),
  };
}

/**
 * A replica with the response cache on: the stack's Redis, under the prefix the stack's subgraphs
 * purge under, and a rate limit out of the way.
 */
export const startCachingReplica = (overrides: Partial<GatewayOptions> = {}) =>
  startGatewayReplica({
    redisUrl: stack().redisUrl,
    redisKeyPrefix: stack().eventsChannelPrefix,
    rateLimit: { pointsPerMinute: 100_000, whenRedisDown: 'open' },
    ...overrides,
  });
