# One image for the API, the worker and the carrier simulator; the command picks the process.
FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund --include=dev
COPY . .
RUN PRISMA_SCHEMA_ENGINE_BINARY=/bin/true npx prisma generate
USER node
CMD ["npm", "run", "start:api"]
