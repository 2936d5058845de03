# syntax=docker/dockerfile:1.6
# Go binary cross-compiled on the build platform.
from --platform=$BUILDPLATFORM golang:1.22-alpine as build
ARG TARGETOS TARGETARCH
WORKDIR /src
RUN --mount=type=bind,source=go.mod,target=go.mod \
    --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app ./cmd/app

FROM build AS lint
RUN go vet ./...

from gcr.io/distroless/static-debian12:nonroot as runtime
copy --from=build /out/app /app
ENTRYPOINT ["/app"]
