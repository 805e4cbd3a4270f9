import type { Viewer } from '@supergraph/service-kit';
import type { ResponseCacheLookup } from './response-cache.ts';

export interface GatewayContext {
  viewer: Viewer | null;
  /** The identity token for one subgraph's fetch (null for an anonymous request). */
  identityToken: (subgraph: string) => Promise<string | null>;
  requestId: string;
  /** The client's address (Express `req.ip`): what sign-up and log-in attempts are counted by. */
  clientIp: string;
  /** Answered with the result of an identical PUBLIC query executed at the same time (nothing to store again). */
  sharedExecution?: boolean;
  /**
   * The response cache hash the edge already looked up and missed (the plugin does not look again),
   * with the purge generation read beside it (what a store of this request is checked against).
   */
  responseCacheChecked?: ResponseCacheLookup;
  /** The HTTP response's locals, where plugins leave what the edge middlewares read after Apollo. */
  edgeLocals?: Record<string, unknown>;
}
