import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

/**
 * One id per request, from the edge to every subgraph and into every log line: the caller's
 * `x-request-id` when it looks like one, a new UUID otherwise; echoed in the response.
 * A W3C `traceparent` is passed along unchanged, so a tracing backend can join the spans.
 */
export const REQUEST_ID_HEADER = 'x-request-id';
export const TRACEPARENT_HEADER = 'traceparent';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

export function requestIdMiddleware(): RequestHandler {
  return (req, res, next) => {
    const incoming = req.header(REQUEST_ID_HEADER);
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    const traceparent = req.header(TRACEPARENT_HEADER);
    res.locals.requestId = requestId;
    res.locals.traceparent = traceparent && TRACEPARENT.test(traceparent) ? traceparent : undefined;
    res.setHeader(REQUEST_ID_HEADER, requestId);
    next();
  };
}
