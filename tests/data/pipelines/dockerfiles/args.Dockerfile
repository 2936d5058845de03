ARG REGISTRY=docker.io
ARG BASE_TAG
ARG DISTRO="debian"
FROM ${REGISTRY}/library/${DISTRO}:${BASE_TAG:-bookworm} AS os
FROM $REGISTRY/library/busybox:${BASE_TAG:+custom} AS tools
FROM os AS final
RUN --mount=type=bind,from=tools,source=/bin/busybox,target=/busybox /busybox true
RUN --mount=from=TOOLS,type=cache,target=/c true
FROM ${UNDECLARED}alpine AS odd
