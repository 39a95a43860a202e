import json
from datetime import date
from typing import Any

import pytest

from motcua_tracking.domain.year_decisions import (
    DecisionError,
    decision_from_json,
    decision_to_dict,
    load_shipped_decision,
    load_shipped_decisions,
    parse_decision,
    replace_year,
)


def document(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "year": 2027,
        "source": "Decision X/2027",
        "days_off": [
            {"date": "2027-01-01", "reason": "New Year"},
            {"from": "2027-02-04", "to": "2027-02-10", "reason": "Tết"},
        ],
        "make_up_working_days": [{"date": "2027-01-09", "reason": "for 08/01", "note": "draft"}],
    }
    base.update(changes)
    return base


def test_a_decision_is_parsed_from_its_json_shape() -> None:
    decision = parse_decision(document())
    assert decision.year == 2027
    assert date(2027, 2, 7) in decision.dates_off
    assert len(decision.dates_off) == 8
    assert decision.working_dates == frozenset({date(2027, 1, 9)})
    assert decision.make_up_working_days[0].note == "draft"


def test_a_decision_survives_a_round_trip_through_json() -> None:
    decision = parse_decision(document())
    assert decision_from_json(json.dumps(decision_to_dict(decision))) == decision


def test_shipped_decisions_load_and_mark_unconfirmed_items() -> None:
    decisions = load_shipped_decisions()
    assert [decision.year for decision in decisions] == list(range(2015, 2027))
    d2026 = load_shipped_decision(2026)
    assert any("UNCONFIRMED" in note for note in d2026.notes)
    assert any(period.note and "UNCONFIRMED" in period.note for period in d2026.days_off)


def test_a_year_without_shipped_data_is_reported() -> None:
    with pytest.raises(DecisionError, match="no decision is shipped for 1999"):
        load_shipped_decision(1999)


def test_replace_year_keeps_other_years() -> None:
    old = load_shipped_decisions()
    new = parse_decision(document(year=2026, days_off=[], make_up_working_days=[]))
    replaced = replace_year(old, new)
    assert [d.year for d in replaced] == [d.year for d in old]
    assert replaced[-1] is new
    assert replaced[:-1] == old[:-1]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"year": "2027"}, "year: expected an integer"),
        ({"source": ""}, "source: expected a non-empty text"),
        ({"days_off": {}}, "days_off: expected a list"),
        ({"days_off": [{"date": "2027-13-01", "reason": "x"}]}, r"days_off\[0\].date"),
        (
            {"days_off": [{"from": "2027-02-10", "to": "2027-02-04", "reason": "x"}]},
            r"days_off\[0\]: 'to' 2027-02-04 is before",
        ),
        ({"days_off": [{"date": "2027-01-01"}]}, r"days_off\[0\].reason"),
        ({"days_off": [{"date": "2031-01-01", "reason": "x"}]}, "too far from the decision year"),
        (
            {"make_up_working_days": [{"date": "2027-01-08", "reason": "x"}]},
            "must be a Saturday or Sunday",
        ),
        (
            {"make_up_working_days": [{"date": "2027-02-06", "reason": "x"}]},
            "also listed as a day off",
        ),
        ({"holidays": []}, "unknown field"),
    ],
)
def test_malformed_decisions_name_the_field_at_fault(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(DecisionError, match=message):
        parse_decision(document(**changes))


def test_text_that_is_not_json_is_reported() -> None:
    with pytest.raises(DecisionError, match="not valid JSON"):
        decision_from_json("{year: 2027")
