"""Credentials of the local stack: made once, kept in `.local/credentials.json` (git-ignored).

Intake stores only hashes of API keys; it learns these through `INTAKE_BOOTSTRAP_KEYS`
at start-up. The clear keys are written to `.local/stack.env` for the demo and tests.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from motcua.messaging.access import OPERATOR, PRINCIPALS
from motcua_devstack.layout import Layout

__all__ = [
    "DEMO_AGENCY",
    "KAFKA_BROKER",
    "KAFKA_CONTROLLER",
    "credentials",
    "kafka_password",
    "operator_kafka_env",
    "service_credentials",
]

DEMO_AGENCY = "STP"
KAFKA_BROKER = "broker"
"""The broker's own SCRAM principal (between listeners; a super user)."""
KAFKA_CONTROLLER = "controller"
"""The broker's principal on its controller listener (SASL/PLAIN; a super user)."""
_KAFKA_USERS = (*PRINCIPALS, KAFKA_BROKER, KAFKA_CONTROLLER)
_NAMES = (
    "intake_admin_key",
    "demo_api_key",
    "operator_token",
    "lookup_pepper",
    "id_pepper",
    "receipt_token",
    *(f"kafka_{user}_password" for user in _KAFKA_USERS),
)


def _path(layout: Layout) -> Path:
    return layout.state / "credentials.json"


def credentials(layout: Layout) -> dict[str, str]:
    """The stack's credentials, created on first use."""
    path = _path(layout)
    stored: dict[str, str] = json.loads(path.read_text()) if path.is_file() else {}
    missing = [name for name in _NAMES if name not in stored]
    if missing:
        for name in missing:
            stored[name] = f"mc_{secrets.token_urlsafe(24)}"
        layout.state.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(stored, indent=2))
        path.chmod(0o600)
    return stored


def kafka_password(values: dict[str, str], user: str) -> str:
    """The SCRAM (or, for the controller, PLAIN) password of a broker principal."""
    return values[f"kafka_{user}_password"]


def _kafka_env(prefix: str, user: str, values: dict[str, str]) -> dict[str, str]:
    return {
        f"{prefix}SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        f"{prefix}SASL_MECHANISM": "SCRAM-SHA-512",
        f"{prefix}SASL_USERNAME": user,
        f"{prefix}SASL_PASSWORD": kafka_password(values, user),
    }


def operator_kafka_env(values: dict[str, str]) -> dict[str, str]:
    """`KAFKA_SECURITY_PROTOCOL`... of the operator principal, for tools and tests."""
    return _kafka_env("KAFKA_", OPERATOR, values)


def service_credentials(service: str, values: dict[str, str]) -> dict[str, str]:
    """What a service is told at start-up: its Kafka principal; intake its bootstrap keys,
    the others the operator token for their protected routes (and tracking its look-up
    pepper; intake its identity-number pepper)."""
    prefix = service.upper()
    kafka = _kafka_env(f"{prefix}_KAFKA__", service, values)
    return kafka | _http_credentials(service, values)


def _http_credentials(service: str, values: dict[str, str]) -> dict[str, str]:
    if service == "intake":
        keys = [
            {"key": values["intake_admin_key"], "agency": None, "scopes": ["admin"]},
            {"key": values["demo_api_key"], "agency": DEMO_AGENCY, "scopes": []},
        ]
        return {
            "INTAKE_BOOTSTRAP_KEYS": json.dumps(keys),
            "INTAKE_PRIVACY__ID_PEPPER": values["id_pepper"],
        }
    prefix = service.upper()
    operator = values["operator_token"]
    if service == "tracking":
        return {
            f"{prefix}_API__OFFICIAL_TOKEN": operator,
            f"{prefix}_API__ADMIN_TOKEN": operator,
            f"{prefix}_API__LOOKUP_PEPPER": values["lookup_pepper"],
        }
    if service == "portal":
        return {f"{prefix}_API__OFFICIAL_TOKEN": operator, f"{prefix}_API__ADMIN_TOKEN": operator}
    if service == "scoring":
        return {f"{prefix}_API__OFFICIAL_TOKEN": operator}
    if service == "notify":
        return {
            f"{prefix}_API__READ_TOKEN": operator,
            f"{prefix}_API__ADMIN_TOKEN": operator,
            f"{prefix}_API__RECEIPT_TOKEN": values["receipt_token"],
        }
    return {}
