"""The portal clients against the fake portal: through an LGSP (one URL per operation,
its bearer token) and directly (a session kept, renewed when it ages or is rejected)."""

from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from motcua_devstack.fake_dvcqg import create_app as create_fake_portal
from motcua_portal.adapters.dvcqg import DirectPortal, LgspPortal, make_portal
from motcua_portal.domain import Outcome
from motcua_portal.settings import DvcqgSettings

FAKE = "http://fake-portal"
TOKEN = "lgsp-test-token"
PASSWORD = "fake-password"


def lgsp_settings(**urls: str) -> DvcqgSettings:
    chosen = {
        "create": f"{FAKE}/lgsp/DongBoHoSoMC",
        "progress": f"{FAKE}/lgsp/CapNhatTienDoHoSoMC",
        "lookup": f"{FAKE}/lgsp/TraCuuHoSo",
        "catalogue": f"{FAKE}/lgsp/LayDanhSachTTHC",
    } | urls
    return DvcqgSettings(
        topology="lgsp", lgsp_urls=chosen, lgsp_token=TOKEN, dstcode="PTO", calls_per_second=1000
    )


def direct_settings(**options: Any) -> DvcqgSettings:
    return DvcqgSettings(
        adapter_url=FAKE, password=PASSWORD, dstcode="PTO", calls_per_second=1000, **options
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
def transport(fake):
    return httpx.ASGITransport(app=fake)


async def test_through_the_lgsp_each_operation_goes_to_its_own_url(fake, transport):
    portal = make_portal(lgsp_settings(), transport)
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


async def test_the_lgsp_update_url_is_its_own_when_given(fake, transport):
    settings = lgsp_settings(update=f"{FAKE}/lgsp/DongBoHoSoMC-update")
    portal = make_portal(settings, transport)

    await portal.push_dossiers("U", [dossier("STP-2")], updating=False)
    reply = await portal.push_dossiers("U", [dossier("STP-2", "4")], updating=True)
    await portal.close()

    assert reply.outcome is Outcome.REJECTED
    assert fake.state.portal.calls["DongBoHoSoMC-update"] == 1


async def test_the_lgsp_refuses_a_wrong_token(transport):
    settings = lgsp_settings().model_copy(update={"lgsp_token": None})
    portal = make_portal(settings, transport)

    reply = await portal.push_progress("U", [step("STP-3")])
    await portal.close()

    assert reply.outcome is Outcome.SESSION_EXPIRED and reply.code == "http_401"


async def test_an_lgsp_without_a_catalogue_url_answers_not_configured(transport):
    settings = lgsp_settings()
    settings.lgsp_urls.pop("catalogue")
    portal = make_portal(settings, transport)

    reply = await portal.procedures()
    await portal.close()

    assert (reply.outcome, reply.code) == (Outcome.REJECTED, "not_configured")


def test_an_lgsp_needs_the_urls_of_create_progress_and_lookup():
    with pytest.raises(ValidationError, match="progress, lookup"):
        DvcqgSettings(topology="lgsp", lgsp_urls={"create": f"{FAKE}/lgsp/DongBoHoSoMC"})


async def test_directly_one_session_serves_many_calls(fake, transport):
    portal = make_portal(direct_settings(), transport)
    assert isinstance(portal, DirectPortal)

    created = await portal.push_dossiers("U", [dossier("STP-4")], updating=False)
    progressed = await portal.push_progress("U", [step("STP-4")])
    found = await portal.lookup("U", "STP-4")
    await portal.close()

    assert created.ok and progressed.ok and found.ok
    assert portal.logins == 1
    assert fake.state.portal.progress_received["STP-4"] == 1


async def test_directly_a_rejected_session_is_renewed_and_the_call_repeated_once(fake, transport):
    portal = make_portal(direct_settings(), transport)
    await portal.push_dossiers("U", [dossier("STP-5")], updating=False)
    fake.state.portal.sessions.clear()

    reply = await portal.push_progress("U", [step("STP-5")])
    await portal.close()

    assert reply.ok
    assert portal.logins == 2


async def test_directly_an_aged_session_is_renewed_before_use(fake, transport):
    now = [0.0]
    portal = DirectPortal(direct_settings(session_ttl_seconds=600), transport, lambda: now[0])
    await portal.lookup("U", "STP-6")
    now[0] = 601.0

    await portal.lookup("U", "STP-6")
    await portal.close()

    assert portal.logins == 2


async def test_directly_a_refused_login_is_an_outage_not_the_dossiers_fault(transport):
    settings = DvcqgSettings(adapter_url=FAKE, password="wrong", dstcode="PTO")
    portal = make_portal(settings, transport)

    reply = await portal.push_dossiers("U", [dossier("STP-7")], updating=False)
    await portal.close()

    assert (reply.outcome, reply.code) == (Outcome.UNAVAILABLE, "login_-1")
    assert "sai tên đăng nhập" in reply.raw
