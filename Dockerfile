# phonebridge-mock: the mock server, and the contract command, in one image.
#   docker build -t phonebridge-mock .
#   docker run -p 127.0.0.1:4010:4010 -v phonebridge-data:/data phonebridge-mock
#   docker run --rm phonebridge-mock contract --target http://host:4010 --token ...

# Build stage: dev dependencies (TypeScript, esbuild), the documents parsed and the two commands bundled.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Scripts off here: `prepare` would build before the sources are copied; the
# build runs below, so this layer stays cached while only sources change.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY server ./server
COPY fixtures ./fixtures
COPY contract-tests ./contract-tests
COPY openapi ./openapi
COPY console ./console
# dist/bundle/main.mjs and contract.mjs hold every dependency; dist/openapi/*.json the parsed documents
# (checked against the YAML's hash at start); dist/crm-cache the default CRMs; dist/console the web console's assets.
RUN npm run build && test -f dist/openapi/phonebridge-v3.yaml.json

# Runtime stage: no node_modules at all, only what the bundles read at run time (~3 MB above the base).
FROM node:22-bookworm-slim
# NODE_COMPILE_CACHE: V8's compiled code for the bundles, made below at build time, read at every start.
ENV HOST=0.0.0.0 \
    PORT=4010 \
    PHONEBRIDGE_DB=/data/phonebridge.json \
    NODE_COMPILE_CACHE=/app/.compile-cache
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/openapi ./openapi
COPY --from=build /app/dist/openapi ./dist/openapi
COPY --from=build /app/dist/console ./dist/console
COPY --from=build /app/dist/crm-cache ./dist/crm-cache
COPY --from=build /app/dist/bundle ./dist/bundle
COPY docker/entrypoint.sh /usr/local/bin/phonebridge-entrypoint
COPY docker/healthcheck.sh /usr/local/bin/phonebridge-healthcheck
RUN mkdir /data && chown node:node /data \
 && node dist/bundle/main.mjs --version >/dev/null && node dist/bundle/contract.mjs --help >/dev/null
USER node
VOLUME ["/data"]
EXPOSE 4010
# A bash probe of GET /__admin/health (docker/healthcheck.sh): cheap enough to run every half second,
# so the container is healthy within a second of docker run; unhealthy after 20 failures in a row (10 s,
# as the 5 s x 3 of before, so a reset regenerating a large CRM does not flip it).
HEALTHCHECK --interval=500ms --timeout=3s --start-period=10s --retries=20 CMD ["phonebridge-healthcheck"]
ENTRYPOINT ["phonebridge-entrypoint"]
CMD ["serve"]
