import type { Viewer } from '@supergraph/service-kit';

export interface GatewayContext {
  viewer: Viewer | null;
  identityToken: () => Promise<string | null>;
  requestId: string;
}
