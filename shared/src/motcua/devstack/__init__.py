"""The local stack without Docker: PostgreSQL, Kafka, Prometheus and the services.

State lives in `.local/` of the checkout; `motcua-stack` (see `cli`) drives it and
the test infrastructure (`motcua.testing.infra`) starts it in-process when needed.
"""

from __future__ import annotations

from motcua.devstack.errors import StackError
from motcua.devstack.layout import Layout, find_root
from motcua.devstack.stack import INFRA, ComponentStatus, Stack

__all__ = ["INFRA", "ComponentStatus", "Layout", "Stack", "StackError", "find_root"]
