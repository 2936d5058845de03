ARG BASE=ubuntu
FROM ${BASE} AS fetch
ADD https://example.com/tool-1.2.tar.gz /tmp/
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/tool-1.3.tar.gz /tmp/
ADD vendor.tar.gz /opt/

FROM alpine:latest AS lint
RUN echo lint

FROM busybox@sha256:7b3ccabffc97de872a30dfd234fd972a66d247c8cfc69b0550f276481852627c AS leftover

FROM scratch
COPY --from=fetch /tmp /tmp
USER 1000
