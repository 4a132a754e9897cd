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
# No NODE_OPTIONS: run, once and reconcile apply their own heap limits (src/heap-flags.ts).
ENTRYPOINT ["node", "/app/dist/cli.js"]
CMD ["run"]
