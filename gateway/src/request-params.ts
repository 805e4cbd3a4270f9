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
