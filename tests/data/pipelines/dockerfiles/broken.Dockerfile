RUN echo before any stage
ARG OK=1
FROM busybox:1.36 AS one
COPY --from=3 /a /a
FROM busybox:1.36 AS ONE
FROM
FROM a b c d
FROM busybox:1.36 AS loop
COPY --from=loop /x /x
RUN <<EOF
echo never closed
