import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

/**
 * One id per request, from the edge to every subgraph and into every log line: the caller's
 * `x-request-id` when it looks like one, a new UUID otherwise; echoed in the response.
 * (Trace context travels separately, as W3C `traceparent`: tracing.ts.)
 */
export const REQUEST_ID_HEADER = 'x-request-id';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

export function requestIdMiddleware(): RequestHandler {
  return (req, res, next) => {
    const incoming = req.header(REQUEST_ID_HEADER);
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader(REQUEST_ID_HEADER, requestId);
    next();
  };
}
