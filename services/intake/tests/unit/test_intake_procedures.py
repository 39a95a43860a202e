import copy
from datetime import time
from decimal import Decimal
from typing import Any

import pytest

from motcua_intake.domain.json_reader import CatalogueError
from motcua_intake.domain.procedures import (
    AdministrativeLevel,
    ProcessingTime,
    TimeUnit,
    UnitRole,
    parse_procedure,
    parse_procedures,
)


def step(code: str, role: str, amount: str, unit: str = "working_days") -> dict[str, Any]:
    return {
        "code": code,
        "name": f"Bước {code}",
        "unit_role": role,
        "allotted": {"unit": unit, "amount": amount},
    }


def licence() -> dict[str, Any]:
    return {
        "code": "2.001417",
        "name": "Cấp phiếu lý lịch tư pháp",
        "field": "Lý lịch tư pháp",
        "level": "province",
        "competent_agency": "STP",
        "processing_time": {"unit": "working_days", "amount": "10"},
        "late_cutoff": "15:00",
        "online_eligible": True,
        "has_fee": True,
        "fee_vnd": 200000,
        "steps": [
            step("TN", "one_stop", "0.5"),
            step("TD", "specialist", "7"),
            step("KY", "leader", "1.5"),
            step("TKQ", "one_stop", "1"),
        ],
    }


def test_a_procedure_is_parsed_into_values() -> None:
    procedure = parse_procedure(licence())
    assert procedure.code == "2.001417"
    assert procedure.level is AdministrativeLevel.PROVINCE
    assert procedure.processing_time == ProcessingTime(TimeUnit.WORKING_DAYS, Decimal(10))
    assert procedure.late_cutoff == time(15, 0)
    assert [s.code for s in procedure.steps] == ["TN", "TD", "KY", "TKQ"]
    assert procedure.steps[2].allotted.amount == Decimal("1.5")
    assert procedure.unit_roles == {UnitRole.ONE_STOP, UnitRole.SPECIALIST, UnitRole.LEADER}


def test_a_missing_cutoff_means_15_00_and_null_means_none() -> None:
    data = licence()
    del data["late_cutoff"]
    assert parse_procedure(data).late_cutoff == time(15, 0)
    data["late_cutoff"] = None
    assert parse_procedure(data).late_cutoff is None
    data["late_cutoff"] = "16:30"
    assert parse_procedure(data).late_cutoff == time(16, 30)


def test_within_day_steps_share_the_day_in_working_days() -> None:
    data = licence()
    data["processing_time"] = {"unit": "within_day", "amount": "1"}
    data["steps"] = [step("TN", "one_stop", "0.25"), step("TD", "specialist", "0.75")]
    assert parse_procedure(data).processing_time.step_unit is TimeUnit.WORKING_DAYS


def test_working_hour_steps_sum_in_hours() -> None:
    data = licence()
    data["processing_time"] = {"unit": "working_hours", "amount": "4"}
    data["steps"] = [
        step("TN", "one_stop", "1", "working_hours"),
        step("TD", "leader", "3", "working_hours"),
    ]
    assert parse_procedure(data).processing_time.amount == 4


def broken(path: list[str | int], value: object) -> dict[str, Any]:
    data = licence()
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("data", "path", "problem"),
    [
        (
            broken(["steps", 2, "allotted", "amount"], "0"),
            "steps[2].allotted.amount",
            "greater than 0",
        ),
        (broken(["steps", 2, "allotted", "amount"], 1.5), "steps[2].allotted.amount", "string"),
        (broken(["steps", 2, "allotted", "amount"], "-1"), "steps[2].allotted.amount", "decimal"),
        (broken(["steps", 2, "allotted", "amount"], "1e3"), "steps[2].allotted.amount", "decimal"),
        (
            broken(["steps", 2, "allotted", "unit"], "days"),
            "steps[2].allotted.unit",
            "'days' is not one of",
        ),
        (
            broken(["steps", 1, "allotted", "unit"], "working_hours"),
            "steps[1].allotted.unit",
            "like the total",
        ),
        (
            broken(["steps", 3, "allotted", "unit"], "within_day"),
            "steps[3].allotted.unit",
            "working days or hours",
        ),
        (broken(["steps", 1, "allotted"], KeyError), "steps[1].allotted", "is required"),
        (broken(["steps", 1, "allotted"], []), "steps[1].allotted", "must be an object"),
        (broken(["steps", 3, "unit_role"], "clerk"), "steps[3].unit_role", "'clerk' is not one of"),
        (broken(["steps", 3, "code"], "TN"), "steps[3].code", "'TN' is repeated"),
        (broken(["steps", 0, "name"], " "), "steps[0].name", "non-empty string"),
        (broken(["steps", 0], "TN"), "steps[0]", "must be an object"),
        (broken(["steps", 1, "allotted", "amount"], "6"), "steps", "sum to 9.0"),
        (broken(["steps"], []), "steps", "at least one step"),
        (broken(["steps"], {}), "steps", "must be an array"),
        (broken(["processing_time", "amount"], "0"), "processing_time.amount", "greater than 0"),
        (broken(["processing_time", "unit"], "within_day"), "processing_time.amount", '"1"'),
        (broken(["processing_time"], KeyError), "processing_time", "is required"),
        (broken(["late_cutoff"], "3pm"), "late_cutoff", "HH:MM"),
        (broken(["late_cutoff"], "24:00"), "late_cutoff", "HH:MM"),
        (broken(["level"], "district"), "level", "'district' is not one of"),
        (broken(["competent_agency"], "COMMUNE"), "competent_agency", "commune"),
        (broken(["code"], KeyError), "code", "is required"),
        (broken(["name"], ""), "name", "non-empty string"),
        (broken(["online_eligible"], "yes"), "online_eligible", "true or false"),
        (broken(["fee_vnd"], "200000"), "fee_vnd", "whole number"),
        (broken(["fee_vnd"], True), "fee_vnd", "whole number"),
        (broken(["fee_vnd"], 0), "fee_vnd", "has_fee"),
        (broken(["fee_vnd"], -5), "fee_vnd", "negative"),
        (broken(["has_fee"], False), "fee_vnd", "has_fee"),
    ],
)
def test_errors_name_the_field_path(data: dict[str, Any], path: str, problem: str) -> None:
    with pytest.raises(CatalogueError) as caught:
        parse_procedure(data)
    assert caught.value.path == path
    assert problem in caught.value.problem
    assert str(caught.value) == f"{path}: {caught.value.problem}"


def test_a_commune_procedure_names_the_commune_authority() -> None:
    data = licence()
    data["level"] = "commune"
    with pytest.raises(CatalogueError) as caught:
        parse_procedure(data)
    assert caught.value.path == "competent_agency"
    data["competent_agency"] = "COMMUNE"
    assert parse_procedure(data).level is AdministrativeLevel.COMMUNE


def test_catalogue_paths_include_the_procedure_index() -> None:
    second = licence()
    second["code"] = "2.000001"
    second["steps"][2]["allotted"]["amount"] = "0"
    with pytest.raises(CatalogueError) as caught:
        parse_procedures({"procedures": [licence(), second]})
    assert caught.value.path == "procedures[1].steps[2].allotted.amount"


def test_procedure_codes_are_unique_in_a_catalogue() -> None:
    with pytest.raises(CatalogueError) as caught:
        parse_procedures({"procedures": [licence(), copy.deepcopy(licence())]})
    assert caught.value.path == "procedures[1].code"


def test_a_catalogue_must_be_an_object_with_procedures() -> None:
    with pytest.raises(CatalogueError, match="must be an object"):
        parse_procedures([licence()])
    with pytest.raises(CatalogueError) as caught:
        parse_procedures({})
    assert caught.value.path == "procedures"
