"""The directory of units and their contacts: who receives officials' alerts."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from motcua_notify.domain.contacts import Recipient
from motcua_notify.domain.messages import Channel
from motcua_notify.domain.wording import HANDLING_UNIT

__all__ = ["ONE_STOP", "Directory", "UnitContact"]

ONE_STOP = "one_stop"


@dataclass(frozen=True)
class UnitContact:
    """A unit of an agency, the official at its head and how it takes alerts."""

    code: str
    agency_code: str
    name: str
    role: str
    head_name: str | None = None
    email: str | None = None
    phone: str | None = None
    webhook_url: str | None = None
    channels: frozenset[Channel] = frozenset({Channel.EMAIL})

    @property
    def recipient(self) -> Recipient:
        """The unit as a recipient on its configured channels."""
        return Recipient(
            phone=self.phone, email=self.email, webhook_url=self.webhook_url, consents=self.channels
        )

    @property
    def addressee(self) -> str:
        """Whom an alert greets: the head of the unit, else the unit."""
        return self.head_name or self.name


class Directory:
    """Units by code, with the one-stop unit of each agency."""

    def __init__(self, units: Iterable[UnitContact], fallback_one_stop: str | None = None) -> None:
        self._units = {unit.code: unit for unit in units}
        self._fallback = fallback_one_stop

    def unit(self, code: str | None) -> UnitContact | None:
        """The unit with this code, if the directory has it."""
        return self._units.get(code) if code else None

    def name_of(self, code: str | None, default: str = HANDLING_UNIT) -> str:
        """A unit's name, or its code when the directory does not know it."""
        unit = self.unit(code)
        return unit.name if unit else (code or default)

    def one_stop_of(self, agency_code: str | None) -> UnitContact | None:
        """The one-stop unit of an agency (whose head hears escalations), else the fallback."""
        for unit in self._units.values():
            if unit.agency_code == agency_code and unit.role == ONE_STOP:
                return unit
        return self.unit(self._fallback)

    def __iter__(self) -> Iterator[UnitContact]:
        return iter(sorted(self._units.values(), key=lambda u: u.code))
