/**
 * V8 flags the gateway runs with, wherever it starts (the launcher passes them; the Kubernetes
 * Deployment sets them in NODE_OPTIONS, which cluster workers inherit). A 64 MB semi-space lets
 * each request's short-lived objects (subgraph answers, the merged result, the serialised
 * response: about 1 MB for a 100-product page) die young instead of being promoted and
 * collected again: measured with `BENCH_OURS_NODE_FLAGS` in bench:gateway-only (ADR 0019).
 */
export const GATEWAY_V8_FLAGS = ['--max-semi-space-size=64'] as const;
