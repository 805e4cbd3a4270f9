import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';

/**
 * Persisted operation lists ("trusted documents"). Partners authenticate with `x-api-key` and may
 * run only operations of their own list, sent by id (`documentId`, or an APQ-style
 * `extensions.persistedQuery.sha256Hash`); anything else is refused before it is parsed.
 * Storefronts may send the id of a storefront operation instead of its text.
 *
 * Persisted-operations-only mode (a safelist, as Apollo Router's `require_id` and Hive's
 * persisted-documents-only): every client must send the id of a registered operation. Free text,
 * and automatic persisted queries registering new text, are refused with a stable code.
 */
export interface TrustedDocumentsConfig {
  /** client name -> operation id -> operation text; read on every request (the registry replaces lists live). */
  lists: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** API key -> client name (partners): PARTNER_API_KEYS, for a gateway without a registry. */
  partnerKeys: Map<string, string>;
  /** The list whose ids any client may send (the first-party storefronts). */
  publicList?: string;
  /** Refuse anything but a registered operation's id (production default; PERSISTED_OPERATIONS_ONLY). */
  persistedOnly?: boolean;
}

/** Why a request is refused in persisted-operations-only mode, or undefined when it may run. */
export function safelistRefusal(id: string | undefined, text: string | undefined, registered: string | undefined): { code: string; message: string } | undefined {
  if (!id) return { code: 'PERSISTED_QUERY_ID_REQUIRED', message: 'This gateway runs registered operations only: send the id of a persisted operation, not its text' };
  if (!registered) return { code: 'PERSISTED_QUERY_NOT_IN_LIST', message: 'No registered operation has this id' };
  if (text !== undefined && text !== registered) return { code: 'PERSISTED_QUERY_NOT_IN_LIST', message: 'The text sent is not the registered operation of this id' };
  return undefined;
}

/** Partner keys are held and compared as sha256 digests only (the registry stores the same digest). */
export const apiKeyDigest = (apiKey: string) => createHash('sha256').update(apiKey).digest('hex');

/** API key -> client, as digest -> client. */
export const partnerKeyDigests = (keys: ReadonlyMap<string, string>) => new Map([...keys].map(([key, client]) => [apiKeyDigest(key), client]));

/**
 * Resolves `x-api-key` to its partner before rate limiting, so that the limiter charges a known
 * key to its partner and an unknown one to the caller's address: a flood of invented keys then
 * meets the address's limit and creates no counter per value. Sets `res.locals.partner` (the
 * client, or null for an unknown key); the refusal itself comes after the rate limit.
 * `partnerKeys` (digest -> client) is read on every request: the registry replaces it live.
 */
export function identifyPartner(partnerKeys: ReadonlyMap<string, string>): RequestHandler {
  return (req, res, next) => {
    const apiKey = req.header('x-api-key');
    res.locals.partner = apiKey === undefined ? undefined : (partnerKeys.get(apiKeyDigest(apiKey)) ?? null);
    next();
  };
}

/** Enforces the lists; runs after `identifyPartner` (without it, every API key is unknown). */
export function trustedDocumentsMiddleware(config: Pick<TrustedDocumentsConfig, 'lists' | 'publicList' | 'persistedOnly'>): RequestHandler {
  return (req, res, next) => {
    const publicList = config.lists.get(config.publicList ?? 'storefront');
    const params = requestParams(req);
    const id = requestedDocumentId(params);
    if (req.header('x-api-key') !== undefined) {
      const client = res.locals.partner as string | null | undefined;
      if (!client) return refuse(res, 401, 'UNAUTHENTICATED', 'Unknown API key');
      res.locals.client = client;
      const body = id ? config.lists.get(client)?.get(id) : undefined;
      if (!body || (typeof params.query === 'string' && params.query !== body)) {
        return refuse(res, 403, 'OPERATION_NOT_ALLOWED', 'This API key may run only the operations registered for it, sent by id');
      }
      useDocument(req, params, body);
      return next();
    }
    if (config.persistedOnly) {
      const registered = id ? publicList?.get(id) : undefined;
      const refusal = safelistRefusal(id, typeof params.query === 'string' ? params.query : undefined, registered);
      if (refusal) return refuse(res, 400, refusal.code, refusal.message);
      useDocument(req, params, registered!);
      return next();
    }
    const registered = id ? publicList?.get(id) : undefined;
    // An id and another text: which one the client meant is unknown, so neither runs (as when persisted-only).
    if (typeof params.documentId === 'string' && typeof params.query === 'string' && registered !== undefined && params.query !== registered) {
      return refuse(res, 400, 'PERSISTED_QUERY_NOT_IN_LIST', 'The text sent is not the registered operation of this documentId: send the id alone, or the text alone');
    }
    if (registered && typeof params.query !== 'string') useDocument(req, params, registered);
    next(); // anything else is an ordinary (or APQ) request
  };
}

type Params = Record<string, unknown>;

function requestParams(req: Request): Params {
  if (req.method !== 'GET') return (req.body as Params | undefined) ?? {};
  const query = req.query as Record<string, unknown>;
  let extensions: unknown = query.extensions;
  if (typeof extensions === 'string') {
    try {
      extensions = JSON.parse(extensions);
    } catch {
      extensions = undefined;
    }
  }
  return { ...query, extensions };
}

function requestedDocumentId(params: Params): string | undefined {
  if (typeof params.documentId === 'string') return params.documentId.replace(/^sha256:/, '');
  const hash = (params.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery?.sha256Hash;
  return typeof hash === 'string' ? hash : undefined;
}

/** Replaces the id with the registered text, so Apollo runs exactly what was registered. */
function useDocument(req: Request, params: Params, body: string) {
  const { documentId: _id, extensions, ...rest } = params;
  const { persistedQuery: _pq, ...otherExtensions } = (extensions as Record<string, unknown> | undefined) ?? {};
  const rewritten = { ...rest, query: body, extensions: otherExtensions };
  if (req.method === 'GET') {
    // Apollo's Express integration reads GET parameters from the URL itself.
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(rewritten)) {
      if (value !== undefined) search.set(name, typeof value === 'string' ? value : JSON.stringify(value));
    }
    req.url = `${req.url.split('?')[0]}?${search}`;
  } else {
    req.body = rewritten;
  }
}

function refuse(res: Parameters<RequestHandler>[1], status: number, code: string, message: string) {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/** `PARTNER_API_KEYS=client:key,client2:key2` -> key -> client. */
export function parsePartnerKeys(setting: string | undefined): Map<string, string> {
  const keys = new Map<string, string>();
  for (const entry of (setting ?? '').split(',').map((e) => e.trim()).filter(Boolean)) {
    const separator = entry.indexOf(':');
    const client = entry.slice(0, separator);
    const key = entry.slice(separator + 1);
    if (separator < 1 || key.length < 24) throw new Error('PARTNER_API_KEYS entries are client:key, with keys of at least 24 characters');
    keys.set(key, client);
  }
  return keys;
}
