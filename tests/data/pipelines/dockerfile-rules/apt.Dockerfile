FROM debian:bookworm-slim AS naive
RUN apt-get update && apt-get install -y curl ca-certificates

FROM debian:bookworm-slim AS flags-first
RUN apt-get update \
 && apt-get -y --no-install-recommends install curl \
 && rm -rf /var/lib/apt/lists/*

FROM debian:bookworm-slim AS lists-left
RUN apt-get update && \
    apt-get install -y \
      curl
RUN rm -rf /var/lib/apt/lists/*

FROM debian:bookworm-slim AS cached
RUN --mount=type=cache,target=/var/lib/apt,sharing=locked \
    --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && apt-get install -y -o APT::Install-Recommends=false curl

FROM debian:bookworm-slim AS runtime
RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
USER nobody
