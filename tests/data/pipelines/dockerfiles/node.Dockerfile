FROM node:20-alpine AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci \
    # dev dependencies too, for the build
    --include=dev

FROM deps As Build
COPY . .
RUN npm run build \
 && npm prune --omit=dev

FROM node:20-alpine AS runtime
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=BUILD /app/dist ./dist
COPY --from=nginx:1.25 /etc/nginx/mime.types /etc/mime.types
EXPOSE 3000
CMD ["node", "dist/server.js"]
