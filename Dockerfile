# workos-events-sync: build the TypeScript, then ship only dist/ and production dependencies.
# Run and compose: docs/docker.md.

# One exact base for both stages, so a rebuild gets the Node the tests ran on (node_modules/node);
# bump it on purpose, or pass --build-arg NODE_IMAGE=<your mirror>/node:24.x.y-bookworm-slim.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts are skipped: the only ones are the `node@24` devDependency (npm scripts on older
# hosts) and esbuild (tests); the compiler runs directly below.
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
COPY src ./src
RUN ./node_modules/.bin/tsc -p tsconfig.json

FROM ${NODE_IMAGE}
# tini becomes PID 1. The kernel delivers a signal to a PID namespace's init only if it has a
# handler for it, so with Node as PID 1 every command but `run` and `once` ignored SIGTERM and
# `docker stop` waited out its timeout, then killed. tini forwards the signal and reaps.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    WORKOS_EVENTS_SYNC_CONFIG=/config/config.json
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
# A starting config for containers (a jsonl archive in /data, cursor in ${REDIS_URL}); mount your
# own at /config/config.json.
COPY deploy/docker/config.json ./config.container.json
# Relative paths in the config (a jsonl file, a file cursor) land in /data. It belongs to uid 1000
# (the node user): a bind mount over it must too (`chown 1000:1000 <dir>` on the host).
RUN mkdir -p /data /config && chown 1000:1000 /data
WORKDIR /data
VOLUME ["/data"]
# Numeric, so Kubernetes can check `runAsNonRoot` without reading /etc/passwd.
USER 1000:1000
# /healthz, /readyz, /metrics and the webhook endpoint (config "http.port"; 8080 by default).
EXPOSE 8080
# The port the HEALTHCHECK asks; set it too if your config moves http.port.
ENV HEALTH_PORT=8080
# Liveness only (/healthz): readiness problems (a halted sink, a stale cursor) need a person, not a restart.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.HEALTH_PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The daemon drains the page in flight on SIGTERM; give it the config's shutdownGraceMs and more
# with `docker stop -t` / compose's stop_grace_period.
STOPSIGNAL SIGTERM
# No NODE_OPTIONS: run, once and reconcile start Node again under their own heap limits
# (src/heap-flags.ts) with process.execve, which keeps the PID, so tini still waits on it.
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/dist/cli.js"]
CMD ["run"]
