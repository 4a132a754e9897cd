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
# The daemon drains the page in flight on SIGTERM; give it the config's shutdownGraceMs and more
# with `docker stop -t` / compose's stop_grace_period.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/dist/cli.js"]
CMD ["run"]
