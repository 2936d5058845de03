FROM node:20
WORKDIR /usr/src/app
COPY ./ ./
RUN npm ci && npm run build
CMD ["node", "dist/server.js"]
