"""Entry points of the portal service: the Kafka consumers and the HTTP API."""

from motcua_portal.entrypoints.consumers import subscribe
from motcua_portal.entrypoints.http import router

__all__ = ["router", "subscribe"]
