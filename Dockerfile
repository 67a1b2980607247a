# Gatehouse container image. Build:  docker build -t gatehouse .
# Run:  docker run -p 3000:3000 -v gatehouse-data:/data gatehouse
# Settings are environment variables only (README.md, "Configuration");
# docs/self-hosting.md covers PostgreSQL, compose, TLS, backups and upgrades.
# Checked locally with scripts/test-image.sh. Plain Dockerfile syntax only (no
# COPY --link, no heredocs), so Debian 12's podman 4.3 builds it too.

# ---- build: every dependency, the Remix + server build, the PGlite seed -------
FROM node:22-bookworm-slim AS build
WORKDIR /app
# Lock files first, so a source change does not re-run `npm ci`. Install scripts
# stay on: esbuild's postinstall (allowed in package.json's allowScripts) is
# needed by the build. The cache mount keeps npm's download cache out of layers.
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund
COPY . .
# Builds build/server.js, build/server/, build/client/, build/migrate.js and
# build/pglite-seed/ (a migrated PGlite data directory copied into DATA_DIR on
# first start), then drops dev dependencies: build/server.js is bundled with
# packages external, so it needs the production node_modules at runtime.
# PGlite writes some seed files 0600; the image runs as `node`, so make the
# (root-owned, read-only) build readable to it.
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && chmod -R a+rX build node_modules

# ---- runtime: node, production node_modules, build/ ---------------------------
FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
# Application files stay owned by root: the process can read but not change them.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/build ./build
# The embedded database (PGlite) lives in /data unless DATABASE_URL is set. A new
# named volume takes this directory's owner and mode; a bind-mounted host
# directory must be writable by uid 1000.
RUN mkdir -p /data && chown node:node /data && chmod 0700 /data
VOLUME ["/data"]
USER node
EXPOSE 3000
# Liveness, with node itself (the slim image has no curl or wget). Follows PORT if
# it is overridden.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node runs as PID 1 (the base image's entrypoint execs it). That is safe here
# because build/server.js handles SIGTERM and SIGINT itself: it stops accepting
# connections, finishes in-flight requests (up to SHUTDOWN_TIMEOUT_MS), closes
# the database and exits 0, so `docker stop` returns in well under a second.
# Migrations run at every start, under a PostgreSQL advisory lock.
CMD ["node", "build/server.js"]
