/**
 * V8 flags the gateway runs with, wherever it starts (the launcher passes them; the image and the
 * Kubernetes Deployment set them in NODE_OPTIONS, which cluster workers inherit). A 64 MB
 * semi-space lets each request's short-lived objects (subgraph answers, the merged result, the
 * serialised response) die young instead of being promoted and collected again: chosen with
 * `BENCH_OURS_NODE_FLAGS` in bench:gateway-only: ours against plain @apollo/gateway on the wide
 * page was 1.01x without it, 1.10x at 32 MB and 1.33x at 64 MB (ADR 0019).
 */
export const GATEWAY_V8_FLAGS = ['--max-semi-space-size=64'] as const;
