# One image for the API, the worker, the codec server and the carrier simulator; the command picks the process.
# Built in two stages: `npm run build` compiles to dist/ and prebuilds the workflow bundle; the image that runs
# holds dist/ and the production dependencies only (no TypeScript at run time).
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# The build's id (dist/build-info.json): the Worker Deployment version its workers run as. Unset, the
# package version and a hash of the workflow code (.git is not in the build context).
ARG BUILD_ID=
RUN PRISMA_SCHEMA_ENGINE_BINARY=/bin/true npx prisma generate && BUILD_ID="$BUILD_ID" npm run build

FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/dist ./dist
USER node
# Workers stop on SIGTERM: polling ends, running activities get 10 s to finish.
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/api/main.js"]
