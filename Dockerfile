# One image for the five services; pick one with `--build-arg SERVICE=<name>`
# (default intake) or override the command, as docker-compose.yml does.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    PATH="/app/.venv/bin:$PATH"

RUN pip install --no-cache-dir "uv==0.13.8"

WORKDIR /app

# Dependencies first, from the lock file only, so code changes reuse this layer.
COPY pyproject.toml uv.lock ./
COPY shared/pyproject.toml shared/pyproject.toml
COPY services/intake/pyproject.toml services/intake/pyproject.toml
COPY services/tracking/pyproject.toml services/tracking/pyproject.toml
COPY services/scoring/pyproject.toml services/scoring/pyproject.toml
COPY services/notify/pyproject.toml services/notify/pyproject.toml
COPY services/portal/pyproject.toml services/portal/pyproject.toml
COPY demo/pyproject.toml demo/pyproject.toml
RUN uv sync --frozen --no-dev --no-install-workspace

COPY shared shared
COPY services services
COPY demo demo
RUN uv sync --frozen --no-dev

RUN useradd --system --uid 10001 motcua
USER motcua

ARG SERVICE=intake
ENV SERVICE=${SERVICE}
EXPOSE 8000

HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=5 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"

CMD ["sh", "-c", "exec uvicorn motcua_${SERVICE}.app:create_app --factory --host 0.0.0.0 --port 8000 --timeout-graceful-shutdown 6"]
