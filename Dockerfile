# One image for api, webhooks and worker; docker-compose picks the entry point.
FROM node:24-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends git openssh-client ca-certificates \
  && rm -rf /var/lib/apt/lists/* && npm i -g pnpm@12.21.0
WORKDIR /app
COPY . .
RUN pnpm install --frozen-lockfile
ENV NODE_ENV=production HOST=0.0.0.0
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
