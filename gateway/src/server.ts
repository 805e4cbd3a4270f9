import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
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
import { SubgraphDataSource } from './subgraph-data-source.ts';

export interface GatewayOptions {
  supergraphSdl: string;
  /** Subgraph name -> URL, overriding the routing URLs composed into the supergraph. */
  subgraphUrls: Record<string, string>;
  userTokenSecret: string;
  internalTokenSecret: string;
  development: boolean;
  log: Logger;
}

export interface Gateway {
  app: express.Express;
  metrics: ServiceMetrics;
  listen(port: number, host?: string): Promise<RunningServer>;
  close(): Promise<void>;
}

/** Builds the gateway (supergraph loaded, plan-ready) without listening. */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const metrics = createServiceMetrics('gateway');
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService: ({ name, url }) => new SubgraphDataSource({ url: options.subgraphUrls[name] ?? url }),
    logger: options.log,
  });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    includeStacktraceInErrorResponses: options.development,
    introspection: options.development,
    formatError: createErrorFormatter({
      development: options.development,
      log: (error) => options.log.error({ err: error }, 'unexpected gateway error'),
    }),
    plugins: options.development ? [] : [ApolloServerPluginLandingPageDisabled()],
  });
  await apollo.start();

  // Ready once the supergraph is loaded (apollo.start() resolved); subgraphs may come and go.
  const app = createServiceApp({
    metrics,
    ready: async () => true,
    bodyLimit: '1mb',
    graphql: expressMiddleware(apollo, {
      context: async ({ req }) => {
        const viewer = await viewerFromRequest(req.headers, options.userTokenSecret);
        return { viewer, identityToken: identityTokenMinter(viewer, options.internalTokenSecret) };
      },
    }),
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
