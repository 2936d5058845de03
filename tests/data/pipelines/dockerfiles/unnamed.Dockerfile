FROM alpine:3.19
RUN apk add --no-cache build-base

FROM alpine:3.19
COPY --from=0 /usr/bin/gcc /usr/bin/gcc

FROM 1 AS final-not-a-stage-ref
