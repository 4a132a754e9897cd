# syntax=docker/dockerfile:1
# workos-events-sync: build the TypeScript, then ship only dist/ and production dependencies.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts are skipped: the only ones are the `node@24` devDependency (npm scripts on older
# hosts) and esbuild (tests); the compiler runs directly below.
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
COPY src ./src
RUN ./node_modules/.bin/tsc -p tsconfig.json

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    WORKOS_EVENTS_SYNC_CONFIG=/config/config.json
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY config.example.json ./config.example.json
# Relative paths in the config (a jsonl file, a file cursor) land in /data, owned by the node user.
RUN mkdir -p /data /config && chown node:node /data
WORKDIR /data
VOLUME ["/data"]
USER node
# /healthz, /readyz and /metrics (config "http.port"; 8080 by default).
EXPOSE 8080
# Liveness only (/healthz): readiness problems (a halted sink, a stale cursor) need a person, not a restart.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HEALTH_PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The daemon drains the page in flight on SIGTERM; give it the config's shutdownGraceMs and more
# with `docker stop -t` / compose's stop_grace_period.
STOPSIGNAL SIGTERM
# V8 sizes its heap from the machine's memory. On a large host a long catch-up grows the young
# generation to 128 MB and lets the old one fill with garbage: RSS passes 300 MB while the live
# heap stays near 20 MB. A small heap limit alone makes it collect every few hundred ms, and the
# CPU per event doubles. These two sizes together keep the peak RSS of a 1,000,000-event drain near
# 140 MB at the same CPU (bench/README.md, figure 3). Set NODE_OPTIONS yourself to give
# `reconcile` of a very large account more than 512 MB of heap.
ENV NODE_OPTIONS="--max-semi-space-size=4 --max-old-space-size=512"
ENTRYPOINT ["node", "/app/dist/cli.js"]
CMD ["run"]
