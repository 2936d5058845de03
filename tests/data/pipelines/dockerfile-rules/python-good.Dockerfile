# syntax=docker/dockerfile:1
FROM python:3.12-slim AS build
WORKDIR /src
COPY requirements.txt pyproject.toml ./
RUN --mount=type=cache,target=/root/.cache/pip \
    pip wheel --wheel-dir /wheels -r requirements.txt
COPY . .
RUN pip wheel --no-deps --wheel-dir /wheels .

FROM python:3.12-slim-bookworm AS runtime
ENV PIP_NO_CACHE_DIR=1
RUN useradd --system --uid 10001 app
COPY --from=build /wheels /wheels
RUN pip install /wheels/* && rm -rf /wheels
USER app
CMD ["python", "-m", "app"]
