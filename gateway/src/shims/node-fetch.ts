// Bundled in place of node-fetch (scripts/build.ts, gateway target): @apollo/gateway imports it for
// WHATWG `Headers` and `Request`, which it builds only in code the gateway replaced (our data
// source's `process`, ADR 0019) or does not run (Apollo's usage-reporting traces, composition
// from introspection, Apollo Uplink). Node's own classes stand in, without node-fetch's
// dependencies (whatwg-url and its 260 KB Unicode table) loaded at every start.
export const { Headers, Request, Response } = globalThis;
export default globalThis.fetch;
