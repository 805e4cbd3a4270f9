import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';

/**
 * Who the client is when a proxy stands between it and the gateway: the storefront's server
 * (`npm start`, on the same host) and, in Kubernetes, the ingress controller. Each adds the address
 * it was called from to `X-Forwarded-For`; without believing it, every shopper behind one proxy
 * was one client, sharing one rate limit, one sign-in budget and one subscription connection limit.
 *
 * TRUST_PROXY lists the peers whose `X-Forwarded-For` is believed: addresses, CIDR ranges, or
 * proxy-addr's names `loopback`, `linklocal`, `uniquelocal`; `none` believes no one. The client is
 * the nearest address in the chain that is not a trusted proxy, so a client cannot choose its own
 * address by sending the header itself. One function for HTTP (Express' `trust proxy`) and for
 * graphql-ws upgrades, so both count a client the same way.
 */
export type TrustedProxies = (address: string, hop: number) => boolean;

export const DEFAULT_TRUST_PROXY = 'loopback';

export function trustedProxies(setting: string): TrustedProxies {
  const list = setting
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (list.length === 1 && list[0] === 'none') return () => false;
  return proxyAddr.compile(list); // throws on an entry that is no address, range or name
}

/** The client's address of an HTTP request or a WebSocket upgrade. */
export const clientAddress = (request: IncomingMessage, trust: TrustedProxies): string => proxyAddr(request, trust) ?? 'unknown';
