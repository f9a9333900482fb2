# fedmigrate as a container: docker run --rm -v fedmigrate-data:/data -v "$PWD/migrations:/manifests:ro" -e DOMO_DOMAIN -e DOMO_DEVELOPER_TOKEN fedmigrate:0.1.0 migrate /manifests
# Node 22: the newest LTS that CI runs the test suite on (.ci/run runs it on 20 and 22).
# Build stage: install from the lock (better-sqlite3 compiles here), build, drop dev dependencies.
# test/packaging/packed-cli.test.ts runs these same steps in a temporary folder.
FROM node:22-bookworm-slim AS build
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json npm-shrinkwrap.json tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
# --legacy-peer-deps: valibot names typescript as an optional peer, which makes npm keep the dev
# dependency typescript ("devOptional") under --omit=dev alone. No other production package has peers.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --legacy-peer-deps
COPY manifests ./manifests

# Runtime stage: the built CLI and its production dependencies, as a non-root user. The same base
# as the build stage: better-sqlite3's native module is built for that Node's ABI.
FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    FEDMIGRATE_JOURNAL=/data/fedmigrate.db
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/manifests ./manifests
RUN ln -s /app/dist/cli.js /usr/local/bin/fedmigrate \
  && mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
WORKDIR /data
ENTRYPOINT ["fedmigrate"]
CMD ["--help"]
