# Python service: dependencies built once, tests and runtime on top.
ARG PYTHON_VERSION=3.11
ARG DEBIAN=bookworm

FROM python:${PYTHON_VERSION}-slim-${DEBIAN} AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
WORKDIR /app

FROM base AS builder
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip \
    pip wheel --wheel-dir /wheels -r requirements.txt

FROM base AS test
COPY --from=builder /wheels /wheels
RUN pip install /wheels/*
COPY . .
RUN python -m pytest -q

FROM base AS runtime
COPY --from=builder /wheels /wheels
RUN pip install --no-cache-dir /wheels/* && rm -rf /wheels
COPY src/ ./src/
USER 1000
CMD ["python", "-m", "src.main"]
