"""The portal clients against the fake portal: through an LGSP (one URL per operation,
its bearer token) and directly (a session kept, renewed when it ages or is rejected)."""

from typing import Any

import pytest
from pydantic import ValidationError

from motcua.testing import free_port
from motcua.testing.serving import serving
from motcua_devstack.fake_dvcqg import create_app as create_fake_portal
from motcua_portal.adapters.dvcqg import DirectPortal, LgspPortal, make_portal
from motcua_portal.domain import Outcome
from motcua_portal.settings import DvcqgSettings

TOKEN = "lgsp-test-token"
PASSWORD = "fake-password"


def lgsp_settings(at: str, **urls: str) -> DvcqgSettings:
    chosen = {
        "create": f"{at}/lgsp/DongBoHoSoMC",
        "progress": f"{at}/lgsp/CapNhatTienDoHoSoMC",
        "lookup": f"{at}/lgsp/TraCuuHoSo",
        "catalogue": f"{at}/lgsp/LayDanhSachTTHC",
    } | urls
    return DvcqgSettings(
        topology="lgsp", lgsp_urls=chosen, lgsp_token=TOKEN, dstcode="PTO", calls_per_second=1000
    )


def direct_settings(at: str, **options: Any) -> DvcqgSettings:
    return DvcqgSettings(
        adapter_url=at, password=PASSWORD, dstcode="PTO", calls_per_second=1000, **options
    )


def dossier(code: str, status: str = "2") -> dict[str, Any]:
    return {
        "MaHoSo": code,
        "MaTTHC": "1.009994",
        "TenTTHC": "Cấp giấy phép xây dựng",
        "ChuHoSo": "Nguyễn Văn A",
        "NgayTiepNhan": "20260302090000",
        "NgayHenTra": "",
        "TrangThaiHoSo": status,
    }


def step(code: str, when: str = "20260302090000") -> dict[str, Any]:
    return {
        "MaHoSo": code,
        "ThoiDiemXuLy": when,
        "NoiDungXuLy": "Tiếp nhận hồ sơ",
        "TrangThai": "2",
        "NgayBatDau": when,
        "NgayKetThucTheoQuyDinh": "20260302130000",
        "PhongBanXuLy": "MC",
    }


@pytest.fixture
def fake():
    return create_fake_portal(password=PASSWORD, lgsp_token=TOKEN)


@pytest.fixture
async def at(fake):
    """The fake portal's address: served on loopback, as the national portal is reached."""
    async with serving(fake) as served:
        yield served.url


async def test_through_the_lgsp_each_operation_goes_to_its_own_url(fake, at):
    portal = make_portal(lgsp_settings(at))
    assert isinstance(portal, LgspPortal)

    missing = await portal.lookup("000.00.01.H12", "STP-1")
    created = await portal.push_dossiers("000.00.01.H12", [dossier("STP-1")], updating=False)
    progressed = await portal.push_progress("000.00.01.H12", [step("STP-1")])
    updated = await portal.push_dossiers("000.00.01.H12", [dossier("STP-1", "4")], updating=True)
    found = await portal.lookup("000.00.01.H12", "STP-1")
    catalogue = await portal.procedures()
    await portal.close()

    assert all(r.ok for r in (missing, created, progressed, updated, found, catalogue))
    assert (missing.body or {})["data"] == []
    assert (found.body or {})["data"][0]["TrangThaiHoSo"] == "4"
    assert len((catalogue.body or {})["data"]) >= 3
    state = fake.state.portal
    assert state.calls == {
        "TraCuuHoSo": 2,
        "DongBoHoSoMC": 2,
        "CapNhatTienDoHoSoMC": 1,
        "LayDanhSachTTHC": 1,
    }
    assert state.dossiers["STP-1"]["madonvi"] == "000.00.01.H12"
    assert state.sessions == set()


async def test_the_lgsp_update_url_is_its_own_when_given(fake, at):
    settings = lgsp_settings(at, update=f"{at}/lgsp/DongBoHoSoMC-update")
    portal = make_portal(settings)

    await portal.push_dossiers("U", [dossier("STP-2")], updating=False)
    reply = await portal.push_dossiers("U", [dossier("STP-2", "4")], updating=True)
    await portal.close()

    assert reply.outcome is Outcome.REJECTED
    assert fake.state.portal.calls["DongBoHoSoMC-update"] == 1


async def test_the_lgsp_refuses_a_wrong_token(at):
    settings = lgsp_settings(at).model_copy(update={"lgsp_token": None})
    portal = make_portal(settings)

    reply = await portal.push_progress("U", [step("STP-3")])
    await portal.close()

    assert reply.outcome is Outcome.SESSION_EXPIRED and reply.code == "http_401"


async def test_an_lgsp_without_a_catalogue_url_answers_not_configured(at):
    settings = lgsp_settings(at)
    settings.lgsp_urls.pop("catalogue")
    portal = make_portal(settings)

    reply = await portal.procedures()
    await portal.close()

    assert (reply.outcome, reply.code) == (Outcome.REJECTED, "not_configured")


def test_an_lgsp_needs_the_urls_of_create_progress_and_lookup():
    with pytest.raises(ValidationError, match="progress, lookup"):
        DvcqgSettings(topology="lgsp", lgsp_urls={"create": "http://fake-portal/lgsp/DongBoHoSoMC"})


async def test_directly_one_session_serves_many_calls(fake, at):
    portal = make_portal(direct_settings(at))
    assert isinstance(portal, DirectPortal)

    created = await portal.push_dossiers("U", [dossier("STP-4")], updating=False)
    progressed = await portal.push_progress("U", [step("STP-4")])
    found = await portal.lookup("U", "STP-4")
    await portal.close()

    assert created.ok and progressed.ok and found.ok
    assert portal.logins == 1
    assert fake.state.portal.progress_received["STP-4"] == 1


async def test_directly_a_rejected_session_is_renewed_and_the_call_repeated_once(fake, at):
    portal = make_portal(direct_settings(at))
    await portal.push_dossiers("U", [dossier("STP-5")], updating=False)
    fake.state.portal.sessions.clear()

    reply = await portal.push_progress("U", [step("STP-5")])
    await portal.close()

    assert reply.ok
    assert portal.logins == 2


async def test_directly_an_aged_session_is_renewed_before_use(fake, at):
    now = [0.0]
    portal = DirectPortal(direct_settings(at, session_ttl_seconds=600), lambda: now[0])
    await portal.lookup("U", "STP-6")
    now[0] = 601.0

    await portal.lookup("U", "STP-6")
    await portal.close()

    assert portal.logins == 2


async def test_directly_a_refused_login_is_an_outage_not_the_dossiers_fault(at):
    settings = DvcqgSettings(adapter_url=at, password="wrong", dstcode="PTO")
    portal = make_portal(settings)

    reply = await portal.push_dossiers("U", [dossier("STP-7")], updating=False)
    await portal.close()

    assert (reply.outcome, reply.code) == (Outcome.UNAVAILABLE, "login_-1")
    assert "sai tên đăng nhập" in reply.raw


async def test_a_portal_that_does_not_answer_is_unavailable_not_the_dossiers_fault():
    settings = lgsp_settings(f"http://127.0.0.1:{free_port()}")
    portal = make_portal(settings)

    reply = await portal.push_progress("U", [step("STP-8")])
    await portal.close()

    assert (reply.outcome, reply.code) == (Outcome.UNAVAILABLE, "unreachable")
