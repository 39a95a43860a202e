"""Entry points of the portal service: the Kafka consumers and the HTTP API."""

from motcua_portal.entrypoints.consumers import subscribe
from motcua_portal.entrypoints.http import router
from motcua_portal.entrypoints.problems import install_problem_handlers

__all__ = ["install_problem_handlers", "router", "subscribe"]
