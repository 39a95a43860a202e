# One image for the five services; pick one with `--build-arg SERVICE=<name>`
# (default intake) or override the command, as docker-compose.yml does. It holds the
# common package and the services only: the dev-only members (motcua-devstack, the
# demo) are in the workspace's dev group, which `--no-dev` leaves out. docker-compose's
# fake national portal is the `fake-dvcqg` target, built from motcua-devstack.
FROM python:3.11-slim AS base

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
# Every member's pyproject.toml, so that uv finds the whole workspace; the dev-only
# members' code is not copied into the service image.
COPY demo/pyproject.toml demo/pyproject.toml
COPY devstack/pyproject.toml devstack/pyproject.toml
RUN uv sync --frozen --no-dev --no-install-workspace

RUN useradd --system --uid 10001 motcua

# docker-compose's fake national portal (DVCQG): the common package and motcua-devstack.
FROM base AS fake-dvcqg
COPY shared shared
COPY devstack devstack
RUN uv sync --frozen --no-dev --package motcua-devstack
USER motcua
EXPOSE 8000
CMD ["uvicorn", "motcua_devstack.fake_dvcqg:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000"]

# The services (the default target).
FROM base AS services
COPY shared shared
COPY services services
RUN uv sync --frozen --no-dev

USER motcua

ARG SERVICE=intake
ENV SERVICE=${SERVICE}
EXPOSE 8000

HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=5 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"

CMD ["sh", "-c", "exec uvicorn motcua_${SERVICE}.app:create_app --factory --host 0.0.0.0 --port 8000 --timeout-graceful-shutdown 6"]
