import dataclasses
from collections import Counter
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from motcua_intake.domain.agencies import (
    Agency,
    AgencyKind,
    OrgUnit,
    Province,
    check_coverage,
    load_seed_agencies,
    parse_province,
)
from motcua_intake.domain.codes import format_dossier_code, parse_dossier_code
from motcua_intake.domain.json_reader import CatalogueError
from motcua_intake.domain.procedures import (
    AdministrativeLevel,
    Procedure,
    TimeUnit,
    UnitRole,
    load_seed_procedures,
)
from motcua_intake.domain.validation import Valid

PROCEDURES = load_seed_procedures()
PROVINCE = load_seed_agencies()


def by_name(fragment: str) -> Procedure:
    return next(p for p in PROCEDURES if fragment in p.name)


def test_the_catalogue_is_large_enough_and_codes_are_unique() -> None:
    assert len(PROCEDURES) >= 36
    assert len({p.code for p in PROCEDURES}) == len(PROCEDURES)


def test_working_day_limits_span_half_a_day_to_thirty_days() -> None:
    days = [
        p.processing_time.amount for p in PROCEDURES if p.processing_time.unit == "working_days"
    ]
    assert min(days) == Decimal("0.5")
    assert max(days) == 30


def test_the_catalogue_mixes_same_day_and_hour_limits() -> None:
    units = Counter(p.processing_time.unit for p in PROCEDURES)
    assert units[TimeUnit.WITHIN_DAY] >= 3
    assert 1 <= units[TimeUnit.WORKING_HOURS] <= 2


@pytest.mark.parametrize("procedure", PROCEDURES, ids=lambda p: p.code)
def test_every_internal_process_adds_up_to_the_limit(procedure: Procedure) -> None:
    total = sum((s.allotted.amount for s in procedure.steps), Decimal(0))
    assert total == procedure.processing_time.amount
    assert {s.allotted.unit for s in procedure.steps} == {procedure.processing_time.step_unit}
    assert procedure.steps[0].unit_role is UnitRole.ONE_STOP
    assert procedure.steps[-1].unit_role is UnitRole.ONE_STOP


def test_the_thirty_day_land_procedure_follows_the_hanoi_allocation() -> None:
    procedure = by_name("quyền sử dụng đất lần đầu cho tổ chức")
    assert [(s.unit_role.value, s.allotted.amount) for s in procedure.steps] == [
        ("one_stop", Decimal("0.5")),
        ("one_stop", Decimal("0.5")),
        ("leader", 1),
        ("specialist", 1),
        ("specialist", 16),
        ("specialist", 1),
        ("leader", 1),
        ("external", 7),
        ("one_stop", 2),
    ]


@pytest.mark.parametrize(
    ("name", "field", "level"),
    [
        ("Đăng ký khai sinh", "Hộ tịch", "commune"),
        ("Đăng ký kết hôn", "Hộ tịch", "commune"),
        ("Cấp giấy chứng nhận quyền sử dụng đất lần đầu", "Đất đai", None),
        ("Cấp giấy phép xây dựng nhà ở riêng lẻ", "Hoạt động xây dựng", "commune"),
        ("Đăng ký thành lập hộ kinh doanh", None, "commune"),
        ("Chứng thực bản sao từ bản chính", "Chứng thực", "commune"),
        ("Cấp phiếu lý lịch tư pháp", "Lý lịch tư pháp", "province"),
        ("Cấp giấy phép lái xe", None, "province"),
    ],
)
def test_common_procedures_are_in_the_catalogue(
    name: str, field: str | None, level: str | None
) -> None:
    procedure = by_name(name)
    assert field is None or procedure.field == field
    assert level is None or procedure.level == level


def test_fees_late_cutoffs_and_online_flags_vary() -> None:
    assert {p.has_fee for p in PROCEDURES} == {True, False}
    assert {p.online_eligible for p in PROCEDURES} == {True, False}
    assert any(p.late_cutoff is None for p in PROCEDURES)
    assert by_name("Cấp phiếu lý lịch tư pháp").fee_vnd == 200000


def test_the_demo_province_has_a_centre_departments_and_communes() -> None:
    kinds = Counter(agency.kind for agency in PROVINCE.agencies)
    assert PROVINCE.code == "PTO"
    assert kinds[AgencyKind.SERVICE_CENTRE] == 1
    assert 5 <= kinds[AgencyKind.DEPARTMENT] <= 6
    assert 3 <= kinds[AgencyKind.COMMUNE] <= 4
    assert PROVINCE.agency("STP").name == "Sở Tư pháp tỉnh Phú Thọ"


def test_every_agency_code_prefixes_a_dossier_code() -> None:
    for agency in PROVINCE.agencies:
        code = format_dossier_code(agency.code, date(2026, 3, 9), 1)
        assert isinstance(parse_dossier_code(code), Valid)


def test_agencies_and_procedures_agree() -> None:
    check_coverage(PROVINCE, PROCEDURES)
    for procedure in PROCEDURES:
        handlers = PROVINCE.handling(procedure.code)
        assert handlers
        assert {agency.level for agency in handlers} == {procedure.level}


def test_commune_procedures_are_handled_by_every_commune() -> None:
    communes = [a for a in PROVINCE.agencies if a.kind is AgencyKind.COMMUNE]
    for procedure in PROCEDURES:
        if procedure.level is AdministrativeLevel.COMMUNE:
            assert all(procedure.code in commune.procedures for commune in communes)


def with_agency(*changed: Agency) -> Province:
    replacements = {agency.code: agency for agency in changed}
    agencies = tuple(replacements.get(a.code, a) for a in PROVINCE.agencies)
    return Province(PROVINCE.code, PROVINCE.name, agencies)


def test_coverage_finds_an_unknown_procedure() -> None:
    stp = PROVINCE.agency("STP")
    province = with_agency(dataclasses.replace(stp, procedures=(*stp.procedures, "9.999999")))
    with pytest.raises(CatalogueError, match=r"unknown procedure '9\.999999'"):
        check_coverage(province, PROCEDURES)


def test_coverage_finds_a_missing_unit_role() -> None:
    stp = PROVINCE.agency("STP")
    units = tuple(u for u in stp.units if u.role is not UnitRole.EXTERNAL)
    with pytest.raises(CatalogueError, match="needs units with role external"):
        check_coverage(with_agency(dataclasses.replace(stp, units=units)), PROCEDURES)


def test_coverage_finds_a_procedure_at_the_wrong_level() -> None:
    stp = PROVINCE.agency("STP")
    province = with_agency(dataclasses.replace(stp, procedures=(*stp.procedures, "1.001193")))
    with pytest.raises(CatalogueError, match=r"'1\.001193' is a commune procedure"):
        check_coverage(province, PROCEDURES)


def test_coverage_finds_a_procedure_nobody_handles() -> None:
    stp = PROVINCE.agency("STP")
    without_lawyers = tuple(code for code in stp.procedures if code != "1.008726")
    with pytest.raises(CatalogueError, match=r"'1\.008726' has no agency"):
        check_coverage(
            with_agency(dataclasses.replace(stp, procedures=without_lawyers)), PROCEDURES
        )


def test_coverage_finds_a_province_procedure_away_from_its_competent_agency() -> None:
    stp, sxd = PROVINCE.agency("STP"), PROVINCE.agency("SXD")
    without_lawyers = tuple(code for code in stp.procedures if code != "1.008726")
    province = with_agency(
        dataclasses.replace(stp, procedures=without_lawyers),
        dataclasses.replace(sxd, procedures=(*sxd.procedures, "1.008726")),
    )
    with pytest.raises(CatalogueError) as caught:
        check_coverage(province, PROCEDURES)
    assert caught.value.path.endswith(".competent_agency")
    assert "'STP' does not handle '1.008726'" in caught.value.problem


def minimal_document() -> dict[str, Any]:
    return {
        "province": {"code": "PTO", "name": "Tỉnh Phú Thọ"},
        "agencies": [
            {
                "code": "STP",
                "name": "Sở Tư pháp",
                "level": "province",
                "kind": "department",
                "parent": "PTO",
                "units": [{"code": "STP.MC", "name": "Quầy", "role": "one_stop"}],
                "procedures": [],
            }
        ],
    }


def test_an_agency_document_is_parsed() -> None:
    province = parse_province(minimal_document())
    assert province.agency("STP").units == (OrgUnit("STP.MC", "Quầy", UnitRole.ONE_STOP),)
    with pytest.raises(KeyError):
        province.agency("SXD")


@pytest.mark.parametrize(
    ("change", "path", "problem"),
    [
        (lambda a: a.update(code="stp"), "agencies[0].code", "upper-case"),
        (lambda a: a.update(parent="HNI"), "agencies[0].parent", "unknown"),
        (lambda a: a.update(kind="ministry"), "agencies[0].kind", "not one of"),
        (lambda a: a["units"][0].update(role="clerk"), "agencies[0].units[0].role", "not one of"),
        (lambda a: a["units"][0].update(role="leader"), "agencies[0].units", "one_stop"),
        (lambda a: a["units"].append(dict(a["units"][0])), "agencies[0].units[1].code", "repeated"),
        (
            lambda a: a.update(procedures=["1.001193", "1.001193"]),
            "agencies[0].procedures[1]",
            "repeated",
        ),
        (lambda a: a.update(procedures=[1]), "agencies[0].procedures[0]", "non-empty string"),
    ],
)
def test_agency_errors_name_the_field_path(
    change: Callable[[dict[str, Any]], object], path: str, problem: str
) -> None:
    document = minimal_document()
    change(document["agencies"][0])
    with pytest.raises(CatalogueError) as caught:
        parse_province(document)
    assert caught.value.path == path
    assert problem in caught.value.problem


def test_agency_codes_are_unique_in_a_province() -> None:
    document = minimal_document()
    agencies = document["agencies"]
    agencies.append(dict(agencies[0], units=[{"code": "X.MC", "name": "Quầy", "role": "one_stop"}]))
    with pytest.raises(CatalogueError) as caught:
        parse_province(document)
    assert caught.value.path == "agencies[1].code"
