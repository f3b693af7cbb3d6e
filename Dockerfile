# syntax=docker/dockerfile:1
# One image for the bot and the workers; the command picks the role (see docker-compose.yml).
# The one pin of the Node.js version: .ci/run reads it and tests on the same binary version.
ARG NODE_VERSION=26.12.1

FROM node:${NODE_VERSION}-trixie-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts

FROM node:${NODE_VERSION}-trixie-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY commands ./commands
RUN npm run build

FROM node:${NODE_VERSION}-trixie-slim AS runtime
# tini reaps children and forwards SIGTERM, so a stopping container hands its jobs back;
# Debian's ffmpeg package brings ffmpeg and ffprobe: workers probe every clip and re-encode the
# ones that would not fit or play inline, and render the free preview's animatics (with the font).
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini ffmpeg fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps \
    HTTP_PORT=8080
EXPOSE 8080
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
# Alive means the process answers HTTP; readiness (/readyz) is for load balancers and orchestrators
# that should wait for Redis and Discord, not restart the container over them.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HTTP_PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/src/bin/all.js"]
