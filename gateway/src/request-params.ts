import type { Request } from 'express';

export type Params = Record<string, unknown>;

/** A GraphQL request's parameters: the JSON body of a POST, the query string of a GET. */
export function requestParams(req: Request): Params {
  if (req.method === 'GET') return req.query as Params;
  const body: unknown = req.body;
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Params) : {};
}

/** GET parameters arrive as JSON text; a value that is not JSON is Apollo's to refuse. */
export function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** A POSTed GraphQL document: what the edge (response cache, coalescing) may answer before Apollo. */
export interface PostedDocument {
  query: string;
  operationName: string | null;
  variables: unknown;
}

/**
 * The request's document when the edge may answer it: a POST (a GET must pass Apollo's CSRF
 * prevention first), with its text (not an automatic persisted query: sent with its document,
 * Apollo must register the hash) and a well-formed operation name. Else null: Apollo's to answer.
 */
export function postedDocument(req: Request): PostedDocument | null {
  if (req.method !== 'POST') return null;
  const params = requestParams(req);
  if (typeof params.query !== 'string') return null;
  if (params.operationName !== undefined && params.operationName !== null && typeof params.operationName !== 'string') return null;
  if ((params.extensions as { persistedQuery?: unknown } | undefined)?.persistedQuery) return null;
  return { query: params.query, operationName: params.operationName ?? null, variables: parseJson(params.variables) };
}
