"""The simulator's client of intake's public API, as a counter software vendor would write it."""

from __future__ import annotations

import uuid
from datetime import time
from typing import Any

import httpx

from motcua_demo.stories import Office, Procedure


class IntakeError(RuntimeError):
    """Intake refused a request; carries its problem+json."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        super().__init__(f"{status} {problem.get('code')}: {problem.get('detail')}")
        self.status = status
        self.problem = problem


class IntakeClient:
    """Calls intake with one API key per agency (issued with the admin key)."""

    def __init__(self, client: httpx.AsyncClient, admin_key: str) -> None:
        self._http = client
        self._admin = admin_key
        self._keys: dict[str, str] = {}

    async def _call(self, method: str, path: str, key: str, body: Any = None) -> Any:
        response = await self._http.request(
            method,
            path,
            json=body,
            headers={"X-API-Key": key, "Idempotency-Key": str(uuid.uuid4())},
        )
        if response.status_code >= 400:
            try:
                problem = response.json()
            except ValueError:
                problem = {"detail": response.text}
            raise IntakeError(response.status_code, problem)
        return response.json() if response.content else None

    async def offices(self, province: str | None = None) -> list[Office]:
        """The province's agencies with their units and procedures, from the catalogue."""
        procedures = {p["code"]: p for p in await self._call("GET", "/v1/procedures", self._admin)}
        agencies = await self._call("GET", "/v1/agencies", self._admin)
        offices = []
        for agency in agencies:
            units = {u["role"]: u["code"] for u in agency["units"]}
            handled = tuple(
                _procedure(procedures[c]) for c in agency.get("procedures", []) if c in procedures
            )
            if handled and "one_stop" in units:
                units.setdefault("specialist", units["one_stop"])
                offices.append(Office(agency["code"], agency["name"], units, handled))
        return offices

    async def key_for(self, agency: str) -> str:
        """An API key of the agency (issued once per run)."""
        if agency not in self._keys:
            issued = await self._call(
                "POST", f"/v1/agencies/{agency}/keys", self._admin, {"label": "demo simulator"}
            )
            self._keys[agency] = issued["key"]
        return self._keys[agency]

    async def register(self, agency: str, body: dict[str, Any]) -> str:
        """Register a dossier; returns its code."""
        created = await self._call("POST", "/v1/dossiers", await self.key_for(agency), body)
        return str(created["code"])

    async def record(self, agency: str, code: str, body: dict[str, Any]) -> None:
        """Record a lifecycle event."""
        await self._call("POST", f"/v1/dossiers/{code}/events", await self.key_for(agency), body)

    async def apologise(self, agency: str, code: str, body: dict[str, Any]) -> None:
        """File an apology (form 04)."""
        await self._call("POST", f"/v1/dossiers/{code}/apology", await self.key_for(agency), body)


def _procedure(entry: dict[str, Any]) -> Procedure:
    limit = entry["processing_time"]
    amount = float(limit["amount"])
    days = {"working_days": amount, "working_hours": amount / 8, "within_day": 0.0}[limit["unit"]]
    return Procedure(
        code=entry["code"],
        name=entry["name"],
        working_days=days,
        step_roles=tuple(s["unit_role"] for s in entry.get("steps", [])),
        has_fee=bool(entry.get("has_fee")),
        fee_vnd=int(entry.get("fee_vnd") or 0),
        online_eligible=bool(entry.get("online_eligible")),
        late_cutoff=_cutoff(entry.get("late_cutoff", "15:00")),
    )


def _cutoff(text: str | None) -> time | None:
    return None if text is None else time.fromisoformat(text)
