"""Entry points of the scoring service: the Kafka consumer, the HTTP API, the SSE
stream and the dashboard."""

from motcua_scoring.entrypoints.consumers import subscribe
from motcua_scoring.entrypoints.dashboard import dashboard_router, static_files
from motcua_scoring.entrypoints.http import api_router
from motcua_scoring.entrypoints.reports import reports_router
from motcua_scoring.entrypoints.stream import stream_router

__all__ = [
    "api_router",
    "dashboard_router",
    "reports_router",
    "static_files",
    "stream_router",
    "subscribe",
]
