// The SDK's client for this page: /graphql on the page's own origin (the storefront server passes
// it to the gateway), graphql-ws on the same path, production mode (persisted ids only). A new
// client per signed-in shopper: its cache and its subscription socket belong to that shopper only.
import { useEffect, useMemo, type ReactNode } from 'react';
import { Provider } from 'urql';
import { createStorefrontClient } from '@supergraph/sdk';
import { useSession } from './session.tsx';

export function endpoints(origin = location.origin) {
  const url = new URL('/graphql', origin);
  const ws = new URL(url);
  ws.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return { url: url.href, subscriptionsUrl: ws.href };
}

export function StorefrontClientProvider({ children }: { children: ReactNode }) {
  const { session } = useSession();
  const token = session?.token ?? null;
  const sdk = useMemo(() => createStorefrontClient({ ...endpoints(), mode: 'production', clientName: 'storefront-web', getToken: () => token }), [token]);
  useEffect(() => () => void sdk.close(), [sdk]);
  return <Provider value={sdk.urql}>{children}</Provider>;
}
