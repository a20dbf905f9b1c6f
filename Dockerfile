# syntax=docker/dockerfile:1
# analytics-bot container image.
#   docker build -t analytics-bot .
#   docker run --env-file .env -p 3000:3000 -v analytics-bot-data:/app/data analytics-bot
# Every stage uses the same Debian (glibc) base so native modules built or downloaded in one stage run in the
# runtime stage: better-sqlite3 (prebuilt binary, node-gyp fallback) and @duckdb/node-api (prebuilt
# @duckdb/node-bindings-linux-<arch> package; glibc only, hence bookworm rather than alpine).
ARG NODE_IMAGE=node:20-bookworm-slim

# ---- toolchain: compilers for node-gyp, used only when no prebuilt binary can be downloaded ----
FROM ${NODE_IMAGE} AS toolchain
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app

# ---- build: all dependencies (TypeScript, types) and the compiled dist/ ----
FROM toolchain AS build
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci
COPY tsconfig*.json ./
COPY src ./src
RUN npm run build

# ---- deps: production dependencies only, native modules included ----
FROM toolchain AS deps
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

# ---- runtime: no compilers, no dev dependencies, runs as the unprivileged node user ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app

# package.json is needed at run time: it marks dist/ as ESM ("type": "module") and locates the shipped files.
COPY --chown=node:node package.json package-lock.json ./
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
# Shipped data files: the metric catalog and the knowledge notes (both resolved relative to package.json).
COPY --chown=node:node metrics.yml ./
COPY --chown=node:node knowledge ./knowledge

# Durable state (SQLite, DuckDB) lives in DATA_DIR; mount a volume there to keep it across containers.
# Created before VOLUME so a fresh volume inherits the node ownership.
RUN mkdir -p /app/data && chown node:node /app/data
ENV DATA_DIR=/app/data
VOLUME ["/app/data"]

USER node
EXPOSE 3000

# slim has no curl; Node 20 has fetch built in.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"

# No tini: node runs as PID 1 (exec-form CMD) and the app installs its own SIGTERM handler for a graceful
# shutdown, so `docker stop` reaches it directly. PID 1 gets no default signal handling, so that handler matters.
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js", "serve"]
