FROM python:3.11-slim AS plain
RUN pip install --upgrade pip

FROM python:3.11-slim AS module
COPY requirements.txt .
RUN python3 -m pip install -r requirements.txt

FROM python:3.11-slim AS no-cache-dir
RUN pip3 install --no-cache-dir requests

FROM python:3.11-slim AS env
ENV PIP_NO_CACHE_DIR=1 \
    PYTHONUNBUFFERED=1
RUN pip install requests

FROM env AS inherits-env
RUN /usr/local/bin/pip install httpx

FROM python:3.11-slim AS heredoc
RUN <<EOT
set -e
pip install uvicorn
EOT

FROM python:3.11-slim AS runtime
RUN --mount=type=cache,target=/root/.cache/pip pip install uvicorn
USER nobody
