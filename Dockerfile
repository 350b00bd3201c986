# phonebridge-mock: the mock server, and the contract command, in one image.
#   docker build -t phonebridge-mock .
#   docker run -p 127.0.0.1:4010:4010 -v phonebridge-data:/data phonebridge-mock
#   docker run --rm phonebridge-mock contract --target http://host:4010 --token ...

# Build stage: dev dependencies (TypeScript) and the compiled dist/.
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
# The documents parsed once here (dist/openapi/*.json, checked against the YAML's hash at start): the
# runtime image cannot write them, and parsing the YAML at every start costs ~0.3 s.
RUN npm run build && rm -f dist/*.tsbuildinfo \
 && node --input-type=module -e "const d = await import('./dist/server/openapi/documents.js'); for (const f of ['phonebridge.yaml', 'accounts.yaml', 'admin.yaml']) d.loadDocument(f);" \
 && test -f dist/openapi/phonebridge.yaml.json

# Runtime stage: production dependencies only (vitest is one: the contract command runs it).
FROM node:22-bookworm-slim
ENV HOST=0.0.0.0 \
    PORT=4010 \
    PHONEBRIDGE_DB=/data/phonebridge.json
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY openapi ./openapi
# The contract command hands these TypeScript sources to vitest at run time.
COPY contract-tests ./contract-tests
COPY docker/entrypoint.sh /usr/local/bin/phonebridge-entrypoint
RUN mkdir /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 4010
# node's own fetch (the slim image has no curl), on the health check: 503 while saving fails.
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4010)+'/__admin/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["phonebridge-entrypoint"]
CMD ["serve"]
