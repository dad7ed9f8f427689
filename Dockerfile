# Multi-stage build mirroring the tested path exactly: `npm ci` + `npm run build` (tsc to dist/), then
# a runtime image with production dependencies only, started with `npm run start:prod` (node dist/main.js).
# Not built or run on the development machines (no Docker there); see README, Operations.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY prisma ./prisma
# postinstall runs `prisma generate` (src/generated/) from prisma/schema.prisma.
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# dist/ already holds the generated client: no install scripts needed at run time.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
# Read at run time relative to dist/: migrations, demo data, the GraphiQL example page, persisted operations.
COPY prisma ./prisma
COPY examples ./examples
COPY src/dashboard/public ./src/dashboard/public
RUN mkdir -p /app/data && chown -R node:node /app/data
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["npm", "run", "start:prod"]
