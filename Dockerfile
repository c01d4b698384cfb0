# Samvær: multi-stage image; the runtime stage has no compiler and runs as a non-root user.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.lock ./
RUN python -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.lock

FROM python:3.11-slim AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DATA_DIR=/data \
    COOKIE_SECURE=true
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin samvaer \
    && mkdir -p /data && chown samvaer /data
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --chown=samvaer app ./app
COPY --chown=samvaer migrations ./migrations
COPY --chown=samvaer frontend ./frontend
COPY --chown=samvaer alembic.ini ./
USER samvaer
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
# Migrations first, then the server; WORKERS > 1 needs PostgreSQL (DATABASE_URL) and REDIS_URL.
CMD ["sh", "-c", "python -m app.cli migrate && exec python -m app.cli serve --host 0.0.0.0 --port 8000 --workers ${WORKERS:-1} --proxy-headers"]
