import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import {
  createErrorFormatter,
  createServiceApp,
  createServiceMetrics,
  createListeners,
  type Logger,
  type RunningServer,
  type ServiceMetrics,
} from '@supergraph/service-kit';
import { identityTokenMinter, viewerFromRequest } from './auth.ts';
import type { GatewayContext } from './context.ts';
import { REQUEST_LIMITS, requestLimitProtection, tokenLimitGuard } from './limits.ts';
import { SubgraphDataSource } from './subgraph-data-source.ts';
import { createSubgraphFetcher, type SubgraphFetcherOptions } from './subgraph-fetcher.ts';
import { createSubgraphFetchMetrics } from './gateway-metrics.ts';

export interface GatewayOptions {
  supergraphSdl: string;
  /** Subgraph name -> URL, overriding the routing URLs composed into the supergraph. */
  subgraphUrls: Record<string, string>;
  userTokenSecret: string;
  internalTokenSecret: string;
  development: boolean;
  log: Logger;
  /** Per-subgraph fetch timeout and circuit breaker. */
  resilience?: Partial<GatewayResilience>;
}

export interface GatewayResilience {
  subgraphTimeoutMs: number;
  breaker: SubgraphFetcherOptions['breaker'];
}

export const DEFAULT_RESILIENCE: GatewayResilience = {
  subgraphTimeoutMs: 10_000,
  // Open after half of at least 5 fetches in 10 s failed; try again after 5 s.
  breaker: { errorThresholdPercentage: 50, volumeThreshold: 5, resetTimeoutMs: 5_000, rollingCountMs: 10_000 },
};

export interface Gateway {
  app: express.Express;
  metrics: ServiceMetrics;
  listen(port: number, host?: string): Promise<RunningServer>;
  close(): Promise<void>;
}

/** Builds the gateway (supergraph loaded, plan-ready) without listening. */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const metrics = createServiceMetrics('gateway');
  const resilience = { ...DEFAULT_RESILIENCE, ...options.resilience };
  const fetchMetrics = createSubgraphFetchMetrics(metrics.registry);
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService: ({ name, url }) =>
      new SubgraphDataSource({
        url: options.subgraphUrls[name] ?? url,
        fetcher: createSubgraphFetcher({
          subgraph: name,
          timeoutMs: resilience.subgraphTimeoutMs,
          breaker: resilience.breaker,
          metrics: fetchMetrics,
          log: options.log,
        }),
      }),
    logger: options.log,
  });
  const protection = requestLimitProtection();
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    validationRules: protection.validationRules,
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: options.development,
    introspection: options.development,
    formatError: createErrorFormatter({
      development: options.development,
      log: (error) => options.log.error({ err: error }, 'unexpected gateway error'),
    }),
    // graphql-armor is typed against Apollo's CommonJS declarations; the plugins are the same objects.
    plugins: [...(protection.plugins as ApolloServerPlugin<GatewayContext>[]), ...(options.development ? [] : [ApolloServerPluginLandingPageDisabled()])],
  });
  await apollo.start();

  // Ready once the supergraph is loaded (apollo.start() resolved); subgraphs may come and go.
  const app = createServiceApp({
    metrics,
    ready: async () => true,
    bodyLimit: REQUEST_LIMITS.maxBodyBytes,
    graphql: [
      tokenLimitGuard(REQUEST_LIMITS.maxTokens),
      expressMiddleware(apollo, {
        context: async ({ req }) => {
          const viewer = await viewerFromRequest(req.headers, options.userTokenSecret);
          return { viewer, identityToken: identityTokenMinter(viewer, options.internalTokenSecret) };
        },
      }),
    ],
  });

  const listeners = createListeners(app);
  return {
    app,
    metrics,
    listen: listeners.listen,
    async close() {
      await listeners.closeAll();
      await apollo.stop();
    },
  };
}
