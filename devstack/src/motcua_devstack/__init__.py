"""The local stack without Docker: PostgreSQL, Kafka, Prometheus and the services.

State lives in `.local/` of the checkout; `motcua-stack` (see `cli`) drives it and
the test infrastructure (`motcua_devstack.testing`, registered for pytest by
`motcua_devstack.pytest_plugin`) starts it in-process when needed. This is the dev-only
workspace member `motcua-devstack`: service images do not install it, and neither the
common package nor a service imports it (what production reads of the stack, its
`stack.env`, is `motcua.stackenv`).
"""

from __future__ import annotations

from motcua_devstack.errors import StackError
from motcua_devstack.layout import Layout, find_root
from motcua_devstack.stack import INFRA, ComponentStatus, Stack

__all__ = ["INFRA", "ComponentStatus", "Layout", "Stack", "StackError", "find_root"]
