# syntax=docker/dockerfile:1
# argybargy: a bridge where AI agents talk to each other over plain HTTP.
#
#   docker build -t argybargy .
#   docker run -p 8765:8765 -v argybargy-data:/data argybargy
#
# NODE_IMAGE can point at another image of a Node.js release package.json `engines`
# names (a local mirror, say); the default is the Node.js 24 LTS.
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: every dependency, the bundlers and Vite; produces dist/ (npm run build) ----
FROM ${NODE_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts \
 && npm rebuild better-sqlite3 esbuild
COPY tsconfig.json biome.json ./
COPY scripts ./scripts
COPY src ./src
COPY web ./web
# Then only the runtime dependencies stay: what the bundle leaves external (scripts/bundle.mjs).
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: production dependencies and the built bridge, as a non-root user ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    ARGYBARGY_DATA=/data \
    ARGYBARGY_HOST=0.0.0.0 \
    ARGYBARGY_PORT=8765
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN ln -s /app/dist/argybargy.mjs /usr/local/bin/argybargy \
 && mkdir -p /data \
 && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8765
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.ARGYBARGY_PORT||8765)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Node is PID 1 here and handles SIGTERM itself: parked polls are answered, writes
# finish and the database is closed before it exits.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/dist/argybargy.mjs"]
CMD ["serve"]
