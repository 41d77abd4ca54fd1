# The API and the worker: one image, two commands (see docker-compose.yml). Multi-stage: the
# build stage compiles TypeScript to dist/ and bundles the workflows once; the runtime stage has
# only production dependencies and the compiled JavaScript, and runs as the unprivileged `node`.
# Node 24 is an LTS line (Node 20 reached end-of-life in April 2026); override with
# --build-arg NODE_VERSION=<major> once the native dependencies (bcrypt, Temporal's core bridge)
# are known to load on a newer one.
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json knexfile.ts ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY migrations ./migrations
COPY scripts ./scripts
RUN npm run build

FROM node:${NODE_VERSION}-slim AS deps
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:${NODE_VERSION}-slim
WORKDIR /app
ENV NODE_ENV=production
ENV WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY package.json ./
# Owned by root and run as node: the process cannot rewrite its own code.
USER node
EXPOSE 3000
# The API's own check (Postgres and Temporal reachable); the worker's service overrides it.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node as PID 1 receives SIGTERM itself: the API finishes in-flight requests, the worker drains.
CMD ["node", "dist/src/server.js"]
