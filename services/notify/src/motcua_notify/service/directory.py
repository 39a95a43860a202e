"""The units directory: seeded at start-up, read and edited through the API."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from motcua.db import Sessions
from motcua_notify.adapters.agency_store import agency_names
from motcua_notify.adapters.directory_store import get_unit, put_unit, seed_units
from motcua_notify.domain.contacts import ContactFailure, normalise_email, normalise_phone
from motcua_notify.domain.directory import UnitContact
from motcua_notify.domain.messages import Channel

__all__ = ["DirectoryService", "InvalidUnit"]


class InvalidUnit(ValueError):
    """A unit that cannot receive alerts as given; the message says which field and why."""


class DirectoryService:
    """Reads and writes units; contacts are normalised and checked against the channels."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def seed(self, units: Iterable[UnitContact]) -> int:
        """Add the shipped units the database does not hold yet."""
        async with self._sessions() as session, session.begin():
            return await seed_units(session, units)

    async def get(self, code: str) -> UnitContact | None:
        """One unit."""
        async with self._sessions() as session:
            return await get_unit(session, code)

    async def put(self, unit: UnitContact) -> tuple[UnitContact, bool]:
        """Create or replace a unit; returns it as stored and whether it is new."""
        checked = checked_unit(unit)
        async with self._sessions() as session, session.begin():
            created = await put_unit(session, checked)
        return checked, created

    async def published_names(self, unit: UnitContact) -> tuple[str | None, str | None]:
        """The unit's agency's name and its own name as intake last published them."""
        async with self._sessions() as session:
            names = await agency_names(session, [unit.agency_code], [unit.code])
        return names.agencies.get(unit.agency_code), names.units.get(unit.code)


def checked_unit(unit: UnitContact) -> UnitContact:
    """Normalise a unit's contacts; raise InvalidUnit if one is wrong or a channel has none."""
    email = _normalised(unit.email, normalise_email, "email")
    phone = _normalised(unit.phone, normalise_phone, "phone")
    needs = {Channel.EMAIL: email, Channel.SMS: phone, Channel.WEBHOOK: unit.webhook_url}
    if Channel.ZALO in unit.channels:
        raise InvalidUnit("channels: officials are not reached on Zalo")
    for channel in sorted(unit.channels):
        if not needs.get(channel):
            raise InvalidUnit(f"channels: {channel} needs a {_FIELD[channel]}")
    return UnitContact(
        unit.code,
        unit.agency_code,
        unit.name,
        unit.role,
        unit.head_name,
        email,
        phone,
        unit.webhook_url,
        unit.channels,
    )


_FIELD = {Channel.EMAIL: "email", Channel.SMS: "phone", Channel.WEBHOOK: "webhook_url"}


def _normalised(
    value: str | None, normalise: Callable[[str], str | ContactFailure], field: str
) -> str | None:
    if not value:
        return None
    result = normalise(value)
    if isinstance(result, ContactFailure):
        raise InvalidUnit(f"{field}: {result.value}")
    return str(result)
