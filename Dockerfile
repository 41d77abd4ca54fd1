# The API and the worker: one image, two commands (see docker-compose.yml).
# TypeScript runs through tsx, a runtime dependency; the workflow bundle is built here once, so
# the worker does not run webpack at start-up.
FROM node:20-slim

WORKDIR /app
ENV NODE_ENV=production

COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY tsconfig.json knexfile.ts ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY migrations ./migrations
COPY scripts ./scripts

RUN node --import tsx scripts/bundleWorkflows.ts /app/dist/workflow-bundle.js
ENV WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js

USER node
EXPOSE 3000
# Node as PID 1 receives SIGTERM itself: the API finishes in-flight requests, the worker drains.
CMD ["node", "--import", "tsx", "src/server.ts"]
