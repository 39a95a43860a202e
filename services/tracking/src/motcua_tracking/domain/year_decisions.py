"""Each year's government decision on days off and make-up working days, as data."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from typing import Any

__all__ = [
    "SHIPPED_YEARS",
    "DayOffPeriod",
    "DecisionError",
    "MakeUpDay",
    "YearDecision",
    "decision_from_json",
    "decision_to_dict",
    "load_shipped_decision",
    "load_shipped_decisions",
    "parse_decision",
    "replace_year",
]

# Every year from the first the calendar covers (motcua.calendar_years) to the latest known.
SHIPPED_YEARS = tuple(range(2015, 2027))
_DATA_PACKAGE = "motcua_tracking.domain"
_DATA_FOLDER = "decisions"
_TOP_KEYS = frozenset({"year", "source", "days_off", "make_up_working_days", "notes"})
_PERIOD_KEYS = frozenset({"date", "from", "to", "reason", "note"})
_DAY_KEYS = frozenset({"date", "reason", "note"})


class DecisionError(ValueError):
    """A yearly decision document is malformed; the message names the offending field."""


@dataclass(frozen=True)
class DayOffPeriod:
    """Consecutive days off announced by a decision (weekends inside the period included)."""

    first: date
    last: date
    reason: str
    note: str | None = None

    @property
    def days(self) -> tuple[date, ...]:
        """Every date of the period, in order."""
        count = (self.last - self.first).days + 1
        return tuple(self.first + timedelta(days=offset) for offset in range(count))


@dataclass(frozen=True)
class MakeUpDay:
    """A weekend day worked in exchange for a day off elsewhere."""

    day: date
    reason: str
    note: str | None = None


@dataclass(frozen=True)
class YearDecision:
    """The days off and make-up working days a year's decision adds to the statutory rule."""

    year: int
    days_off: tuple[DayOffPeriod, ...]
    make_up_working_days: tuple[MakeUpDay, ...]
    source: str
    notes: tuple[str, ...] = ()

    @property
    def dates_off(self) -> frozenset[date]:
        """Every date the decision gives off."""
        return frozenset(day for period in self.days_off for day in period.days)

    @property
    def working_dates(self) -> frozenset[date]:
        """Every date the decision makes a working day."""
        return frozenset(item.day for item in self.make_up_working_days)


def parse_decision(document: Mapping[str, Any]) -> YearDecision:
    """Build a decision from its JSON shape, raising DecisionError with the field at fault."""
    if not isinstance(document, Mapping):
        raise DecisionError(f"a decision must be a JSON object, got {type(document).__name__}")
    _reject_unknown(document, _TOP_KEYS, "decision")
    year = document.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 1990 <= year <= 2100:
        raise DecisionError(f"year: expected an integer between 1990 and 2100, got {year!r}")
    source = _text(document, "source", "source", required=True)
    periods = tuple(
        _period(item, f"days_off[{index}]", year)
        for index, item in enumerate(_list(document, "days_off"))
    )
    make_up = tuple(
        _make_up_day(item, f"make_up_working_days[{index}]", year)
        for index, item in enumerate(_list(document, "make_up_working_days"))
    )
    notes = tuple(
        _plain_text(note, f"notes[{index}]") for index, note in enumerate(_list(document, "notes"))
    )
    decision = YearDecision(year, periods, make_up, source or "", notes)
    clash = sorted(decision.dates_off & decision.working_dates)
    if clash:
        raise DecisionError(
            f"make_up_working_days: {clash[0].isoformat()} is also listed as a day off"
        )
    return decision


def decision_from_json(text: str | bytes) -> YearDecision:
    """Parse a decision from JSON text (a file's content or an API body)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise DecisionError(f"not valid JSON: {error}") from error
    return parse_decision(document)


def decision_to_dict(decision: YearDecision) -> dict[str, Any]:
    """The JSON shape of a decision, the inverse of parse_decision."""
    return {
        "year": decision.year,
        "source": decision.source,
        "days_off": [_period_to_dict(period) for period in decision.days_off],
        "make_up_working_days": [
            _with_note({"date": item.day.isoformat(), "reason": item.reason}, item.note)
            for item in decision.make_up_working_days
        ],
        "notes": list(decision.notes),
    }


def load_shipped_decision(year: int) -> YearDecision:
    """Read the decision packaged with the service for `year`."""
    resource = resources.files(_DATA_PACKAGE).joinpath(_DATA_FOLDER, f"{year}.json")
    if not resource.is_file():
        raise DecisionError(f"no decision is shipped for {year}")
    decision = decision_from_json(resource.read_text(encoding="utf-8"))
    if decision.year != year:
        raise DecisionError(f"{year}.json holds the decision for {decision.year}")
    return decision


def load_shipped_decisions() -> tuple[YearDecision, ...]:
    """Read every decision packaged with the service, by year."""
    return tuple(load_shipped_decision(year) for year in SHIPPED_YEARS)


def replace_year(
    decisions: Iterable[YearDecision], decision: YearDecision
) -> tuple[YearDecision, ...]:
    """The decisions with `decision` standing in for any earlier one of the same year."""
    kept = [item for item in decisions if item.year != decision.year]
    return tuple(sorted([*kept, decision], key=lambda item: item.year))


def _period(item: Any, where: str, year: int) -> DayOffPeriod:
    mapping = _mapping(item, where)
    _reject_unknown(mapping, _PERIOD_KEYS, where)
    if "date" in mapping:
        if "from" in mapping or "to" in mapping:
            raise DecisionError(f"{where}: give either 'date' or 'from' and 'to', not both")
        first = last = _date(mapping, "date", where, year)
    else:
        first = _date(mapping, "from", where, year)
        last = _date(mapping, "to", where, year)
    if last < first:
        raise DecisionError(f"{where}: 'to' {last.isoformat()} is before 'from' {first}")
    reason = _text(mapping, "reason", where, required=True) or ""
    return DayOffPeriod(first, last, reason, _text(mapping, "note", where, required=False))


def _make_up_day(item: Any, where: str, year: int) -> MakeUpDay:
    mapping = _mapping(item, where)
    _reject_unknown(mapping, _DAY_KEYS, where)
    day = _date(mapping, "date", where, year)
    if day.weekday() < 5:
        raise DecisionError(
            f"{where}.date: {day.isoformat()} is a {day.strftime('%A')}; "
            "a make-up working day must be a Saturday or Sunday"
        )
    reason = _text(mapping, "reason", where, required=True) or ""
    return MakeUpDay(day, reason, _text(mapping, "note", where, required=False))


def _date(mapping: Mapping[str, Any], key: str, where: str, year: int) -> date:
    raw = mapping.get(key)
    if not isinstance(raw, str):
        raise DecisionError(f"{where}.{key}: expected a date YYYY-MM-DD, got {raw!r}")
    try:
        value = date.fromisoformat(raw)
    except ValueError as error:
        raise DecisionError(f"{where}.{key}: expected a date YYYY-MM-DD, got {raw!r}") from error
    if abs(value.year - year) > 1:
        raise DecisionError(f"{where}.{key}: {raw} is too far from the decision year {year}")
    return value


def _text(mapping: Mapping[str, Any], key: str, where: str, *, required: bool) -> str | None:
    raw = mapping.get(key)
    if raw is None and not required:
        return None
    field = key if where == key else f"{where}.{key}"
    return _plain_text(raw, field)


def _plain_text(raw: Any, field: str) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise DecisionError(f"{field}: expected a non-empty text, got {raw!r}")
    return raw.strip()


def _list(mapping: Mapping[str, Any], key: str) -> Sequence[Any]:
    raw = mapping.get(key, [])
    if not isinstance(raw, list):
        raise DecisionError(f"{key}: expected a list, got {type(raw).__name__}")
    return raw


def _mapping(item: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(item, Mapping):
        raise DecisionError(f"{where}: expected an object, got {item!r}")
    return item


def _reject_unknown(mapping: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
    unknown = sorted(set(mapping) - allowed)
    if unknown:
        raise DecisionError(f"{where}: unknown field(s) {', '.join(unknown)}")


def _period_to_dict(period: DayOffPeriod) -> dict[str, Any]:
    if period.first == period.last:
        shape: dict[str, Any] = {"date": period.first.isoformat(), "reason": period.reason}
    else:
        shape = {
            "from": period.first.isoformat(),
            "to": period.last.isoformat(),
            "reason": period.reason,
        }
    return _with_note(shape, period.note)


def _with_note(shape: dict[str, Any], note: str | None) -> dict[str, Any]:
    if note is not None:
        shape["note"] = note
    return shape
