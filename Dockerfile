# syntax=docker/dockerfile:1
# One image per service from this one file (ADR 0017):
#   docker build --build-arg SERVICE=subgraphs/products -t supergraph/products .
# SERVICE is the service's workspace folder: gateway, schema-registry or subgraphs/<name>.
# tests/deploy/image-command.test.ts reads this file's last stage (WORKDIR, ENV, USER, CMD) and
# runs exactly that command against the built entry, so the two cannot drift apart.
ARG NODE_IMAGE=node:20.20-bookworm-slim

# 1. Build: every dependency (dev included), Prisma clients generated, every service bundled
#    (npm ci's postinstall runs scripts/prisma-generate.mjs and scripts/build.ts, and makes
#    `npm start`'s embedded database template in node_modules/.cache, which the image leaves out).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund \
 && test -f gateway/dist/index.js \
 # What the runtime needs from the tree, without any node_modules or sources' tests.
 && mkdir /out \
 && tar --exclude='./node_modules' --exclude='*/node_modules' --exclude='./.git' -cf - . | tar -xf - -C /out \
 # Only the package manifests, for the production install below.
 && mkdir /manifests \
 && find . -name package.json -not -path '*/node_modules/*' -exec cp --parents {} /manifests \; \
 && cp package-lock.json /manifests/

# 2. Production dependencies only (no install scripts: nothing is compiled or generated here).
FROM ${NODE_IMAGE} AS production-dependencies
WORKDIR /app
COPY --from=build /manifests/ ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# 3. Runtime: plain node on the service's bundle, as the unprivileged `node` user (uid 1000).
FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
# The service's V8 flags: the gateway's image is built with NODE_FLAGS = gateway/src/v8-flags.ts
# (the workflow passes them; ADR 0019), the others with none. Workers inherit NODE_OPTIONS.
ARG NODE_FLAGS=""
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    NODE_OPTIONS="${NODE_FLAGS}"
WORKDIR /app
COPY --from=production-dependencies /app/ ./
COPY --from=build /out/ ./
WORKDIR /app/${SERVICE}
USER 1000:1000
# Exec form: node is PID 1 and receives SIGTERM itself; every service handles it (drain within
# SHUTDOWN_TIMEOUT_MS, then exit 0: packages/service-kit/src/http.ts onShutdownSignal). The only
# child processes are a gateway's own workers (GATEWAY_WORKERS > 1, ADR 0020), which node forks,
# drains and reaps itself; nothing else is spawned, so no init is needed. dist/index.js runs the
# service's bundle through V8's code cache (scripts/code-cache.ts): /app is read-only to uid 1000,
# so a first start writes the cache to /tmp, and a restarted container starts from it.
CMD ["node", "--enable-source-maps", "dist/index.js"]
