"""A stand-in for the National Public Service Portal (DVCQG), for tests, benchmarks and
the local stack. Run it with
``uvicorn motcua_devstack.fake_dvcqg:create_app --factory``.

It speaks the portal's adapter protocol: ``POST /auth`` (``{username, password}``, a
``dstcode`` header) answers a ``session``; ``POST /integration`` dispatches on
``service``: ``DongBoHoSoMC``, ``CapNhatTienDoHoSoMC``, ``TraCuuHoSo`` and
``LayDanhSachTTHC``. An LGSP-style topology is served too: ``POST /lgsp/<service>``
(no session; a bearer token when ``DVCQG_FAKE_LGSP_TOKEN`` is set). Required fields
and date formats (``yyyyMMddHHmmss`` or "") are checked.

It keeps what it received: the latest record of each dossier and its progress entries,
keyed by step (dossier, time, status, unit), so a repeated entry replaces itself as it
would on a portal that keys them; ``GET /_received?MaHoSo=<code>`` shows them with the
number of times each was received. ``POST /_mode {"mode", "times", "MaHoSo"}`` sets how
the next ``times`` calls (of one dossier when ``MaHoSo`` is given) are answered:
``ok``, ``exists`` ("đã tồn tại"), ``session_expired``, ``error_5xx``, ``timeout``
(answers after ``delay_seconds``), ``garbage`` or ``reject``. ``POST /_config`` sets
the answer delay, the timeout delay and the error_code style (0 or "00").
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from fastapi import Body, FastAPI, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

__all__ = ["FakePortal", "create_app"]

Mode = Literal["ok", "exists", "session_expired", "error_5xx", "timeout", "garbage", "reject"]
_DATE = re.compile(r"^(\d{14})?$")
_RECORD_REQUIRED = ("MaHoSo", "MaTTHC", "TenTTHC", "ChuHoSo", "NgayTiepNhan", "TrangThaiHoSo")
_RECORD_DATES = (
    "NgayNopHoSo",
    "NgayTiepNhan",
    "NgayHenTra",
    "NgayKetThucXuLy",
    "NgayTra",
    "NgayTuChoi",
)
_PROGRESS_REQUIRED = ("MaHoSo", "ThoiDiemXuLy", "NoiDungXuLy", "TrangThai", "NgayBatDau")
_PROGRESS_DATES = ("ThoiDiemXuLy", "NgayBatDau", "NgayKetThucTheoQuyDinh")
_SUPPLEMENT_DATES = ("NgayBoSung", "NgayTiepNhanBoSung", "NgayHenTraTruoc", "NgayHenTraMoi")
CATALOGUE = [
    {
        "MaTTHC": "1.009994",
        "TenTTHC": "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
        "MaLinhVuc": "XD",
        "TenLinhVuc": "Xây dựng",
    },
    {
        "MaTTHC": "1.001612",
        "TenTTHC": "Đăng ký thành lập hộ kinh doanh",
        "MaLinhVuc": "KD",
        "TenLinhVuc": "Thành lập và hoạt động của hộ kinh doanh",
    },
    {
        "MaTTHC": "2.000488",
        "TenTTHC": "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
        "MaLinhVuc": "CT",
        "TenLinhVuc": "Chứng thực",
    },
]


class ModeRequest(BaseModel):
    """How the next calls are answered."""

    mode: Mode
    times: int = 1
    MaHoSo: str | None = None


class ConfigRequest(BaseModel):
    """Answer timing and style."""

    answer_delay_seconds: float | None = None
    timeout_seconds: float | None = None
    code_style: Literal["int", "string"] | None = None


@dataclass
class _Override:
    mode: Mode
    remaining: int
    code: str | None


@dataclass
class FakePortal:
    """What the fake portal has received and how it answers."""

    username: str = "motcua"
    password: str = ""
    answer_delay_seconds: float = 0.0
    timeout_seconds: float = 30.0
    code_style: Literal["int", "string"] = "int"
    lgsp_token: str | None = None
    sessions: set[str] = field(default_factory=set)
    overrides: list[_Override] = field(default_factory=list)
    dossiers: dict[str, dict[str, Any]] = field(default_factory=dict)
    record_versions: dict[str, int] = field(default_factory=dict)
    progress: dict[str, dict[tuple[str, str, str], dict[str, Any]]] = field(default_factory=dict)
    progress_received: dict[str, int] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def mode_for(self, codes: list[str]) -> Mode:
        """The mode of this call, counting down the override that applies."""
        for override in self.overrides:
            if override.remaining > 0 and (override.code is None or override.code in codes):
                override.remaining -= 1
                return override.mode
        self.overrides = [o for o in self.overrides if o.remaining > 0]
        return "ok"

    def answer(self, code: int, message: str, **extra: Any) -> dict[str, Any]:
        """A reply body in the configured error_code style."""
        shown: int | str = code if self.code_style == "int" else f"{code:02d}"
        return {"error_code": shown, "message": message, **extra}


def _missing(item: dict[str, Any], required: tuple[str, ...], dates: tuple[str, ...]) -> list[str]:
    problems = [f"thiếu {name}" for name in required if not str(item.get(name) or "")]
    for name in dates:
        value = item.get(name, "")
        if value is None or not isinstance(value, str) or not _DATE.match(value):
            problems.append(f"{name} sai định dạng yyyyMMddHHmmss")
    return problems


def _check_record(record: dict[str, Any]) -> list[str]:
    problems = _missing(record, _RECORD_REQUIRED, _RECORD_DATES)
    if str(record.get("TrangThaiHoSo")) not in {str(n) for n in range(1, 11)}:
        problems.append("TrangThaiHoSo phải từ 1 đến 10")
    if str(record.get("KenhThucHien", "1")) not in {"1", "2", "3"}:
        problems.append("KenhThucHien phải là 1, 2 hoặc 3")
    if len(str(record.get("GhiChu") or "")) > 2000:
        problems.append("GhiChu quá 2000 ký tự")
    for supplement in record.get("DanhSachHoSoBoSung") or ():
        problems += _missing(supplement, ("HoSoBoSungId",), _SUPPLEMENT_DATES)
    return problems


def _check_progress(entry: dict[str, Any]) -> list[str]:
    problems = _missing(entry, _PROGRESS_REQUIRED, _PROGRESS_DATES)
    if str(entry.get("TrangThai")) not in {str(n) for n in range(1, 11)}:
        problems.append("TrangThai phải từ 1 đến 10")
    return problems


def _codes(body: dict[str, Any]) -> list[str]:
    data = body.get("data")
    if isinstance(data, list):
        return [str(item.get("MaHoSo")) for item in data if isinstance(item, dict)]
    return [str(body.get("mahoso", ""))]


def create_app(
    username: str | None = None, password: str | None = None, lgsp_token: str | None = None
) -> FastAPI:
    """A fake portal with its own in-memory state (`lgsp_token`: the bearer token the
    LGSP routes require; none by default)."""
    state = FakePortal(
        username=username or os.environ.get("DVCQG_FAKE_USERNAME", "motcua"),
        password=password if password is not None else os.environ.get("DVCQG_FAKE_PASSWORD", ""),
        lgsp_token=lgsp_token or os.environ.get("DVCQG_FAKE_LGSP_TOKEN") or None,
    )
    app = FastAPI(title="Fake National Public Service Portal (DVCQG)")
    app.state.portal = state

    async def failure(mode: Mode) -> Response | None:
        if mode == "error_5xx":
            return Response("Service Unavailable", status_code=503)
        if mode == "timeout":
            await asyncio.sleep(state.timeout_seconds)
            return JSONResponse(state.answer(-1, "quá thời gian"))
        if mode == "garbage":
            return Response("<html>Gateway error</html>", status_code=200, media_type="text/html")
        if mode == "session_expired":
            state.sessions.clear()
            return JSONResponse(state.answer(-1, "Session hết hạn hoặc không hợp lệ"))
        return None

    @app.post("/auth")
    async def login(request: Request) -> Response:
        """Log in: a session for the right user, password and dstcode header."""
        body = await request.json()
        if not request.headers.get("dstcode"):
            return JSONResponse(state.answer(-1, "thiếu dstcode"))
        if body.get("username") != state.username or body.get("password") != state.password:
            return JSONResponse(state.answer(-1, "sai tên đăng nhập hoặc mật khẩu"))
        session = secrets.token_hex(16)
        state.sessions.add(session)
        return JSONResponse(state.answer(0, "thành công", session=session))

    @app.post("/integration")
    async def integration(request: Request) -> Response:
        """The adapter endpoint: one operation per `service`."""
        body = await request.json()
        if not request.headers.get("dstcode"):
            return JSONResponse(state.answer(-1, "thiếu dstcode"))
        if body.get("session") not in state.sessions:
            return JSONResponse(state.answer(-1, "Session hết hạn hoặc không hợp lệ"))
        return await serve(str(body.get("service")), body)

    @app.post("/lgsp/{service}")
    async def lgsp(service: str, request: Request) -> Response:
        """The same operations behind an integration platform: one URL each, no session,
        the platform's bearer token when one is set."""
        expected = f"Bearer {state.lgsp_token}"
        if state.lgsp_token and request.headers.get("authorization") != expected:
            return Response("Unauthorized", status_code=401)
        return await serve(service, await request.json())

    async def serve(service: str, body: dict[str, Any]) -> Response:
        state.calls[service] = state.calls.get(service, 0) + 1
        mode = state.mode_for(_codes(body))
        if state.answer_delay_seconds:
            await asyncio.sleep(state.answer_delay_seconds)
        failed = await failure(mode)
        if failed is not None:
            return failed
        if mode == "reject":
            return JSONResponse(state.answer(-2, "Dữ liệu không hợp lệ (từ chối theo yêu cầu)"))
        if service == "DongBoHoSoMC":
            return JSONResponse(sync_dossiers(body, mode))
        if service == "CapNhatTienDoHoSoMC":
            return JSONResponse(sync_progress(body))
        if service == "TraCuuHoSo":
            found = state.dossiers.get(str(body.get("mahoso", "")))
            return JSONResponse(state.answer(0, "thành công", data=[found] if found else []))
        if service == "LayDanhSachTTHC":
            return JSONResponse(state.answer(0, "thành công", data=CATALOGUE))
        return JSONResponse(state.answer(-1, f"service không hỗ trợ: {service}"))

    def sync_dossiers(body: dict[str, Any], mode: Mode) -> dict[str, Any]:
        data = body.get("data")
        if not isinstance(data, list) or not data or body.get("madonvi") is None:
            return state.answer(-2, "thiếu data hoặc madonvi")
        updating = str(body.get("isUpdating")) == "True"
        problems = [f"{r.get('MaHoSo')}: {p}" for r in data for p in _check_record(r)]
        if problems:
            return state.answer(-2, "; ".join(problems[:20]))
        existing = [str(r["MaHoSo"]) for r in data if str(r["MaHoSo"]) in state.dossiers]
        if mode == "exists" or (not updating and existing):
            return state.answer(-3, "Hồ sơ đã tồn tại trên hệ thống")
        missing = [str(r["MaHoSo"]) for r in data if str(r["MaHoSo"]) not in state.dossiers]
        if updating and missing:
            return state.answer(-4, f"Hồ sơ không tồn tại: {', '.join(missing[:5])}")
        for record in data:
            code = str(record["MaHoSo"])
            state.dossiers[code] = {**record, "madonvi": body.get("madonvi")}
            state.record_versions[code] = state.record_versions.get(code, 0) + 1
        return state.answer(0, "thành công")

    def sync_progress(body: dict[str, Any]) -> dict[str, Any]:
        data = body.get("data")
        if not isinstance(data, list) or not data:
            return state.answer(-2, "thiếu data")
        problems = [f"{e.get('MaHoSo')}: {p}" for e in data for p in _check_progress(e)]
        # A look-up per code: the set of every dossier held would cost the whole store a call.
        unknown = {code for e in data if (code := str(e.get("MaHoSo"))) not in state.dossiers}
        problems += [f"{code}: hồ sơ không tồn tại" for code in sorted(unknown)]
        if problems:
            return state.answer(-2, "; ".join(problems[:20]))
        for entry in data:
            code = str(entry["MaHoSo"])
            key = (
                str(entry["ThoiDiemXuLy"]),
                str(entry["TrangThai"]),
                str(entry.get("PhongBanXuLy")),
            )
            state.progress.setdefault(code, {})[key] = entry
            state.progress_received[code] = state.progress_received.get(code, 0) + 1
        return state.answer(0, "thành công")

    @app.get("/_received")
    async def received(code: Annotated[str, Query(alias="MaHoSo")]) -> dict[str, Any]:
        """What the portal holds for a dossier: the record and its progress, in step order."""
        steps = state.progress.get(code, {})
        return {
            "MaHoSo": code,
            "record": state.dossiers.get(code),
            "record_versions": state.record_versions.get(code, 0),
            "progress": [steps[key] for key in sorted(steps)],
            "progress_received": state.progress_received.get(code, 0),
        }

    @app.get("/_calls")
    async def calls() -> dict[str, int]:
        """Calls received per operation."""
        return state.calls

    @app.post("/_mode")
    async def set_mode(request: Annotated[ModeRequest, Body()]) -> dict[str, Any]:
        """Answer the next `times` calls (of one dossier when MaHoSo is given) in a mode."""
        state.overrides.append(_Override(request.mode, request.times, request.MaHoSo))
        return {"mode": request.mode, "times": request.times, "MaHoSo": request.MaHoSo}

    @app.delete("/_mode", status_code=204)
    async def clear_modes() -> None:
        """Answer normally again."""
        state.overrides.clear()

    @app.post("/_config")
    async def configure(request: Annotated[ConfigRequest, Body()]) -> dict[str, Any]:
        """Set the answer delay, the timeout delay or the error_code style."""
        if request.answer_delay_seconds is not None:
            state.answer_delay_seconds = request.answer_delay_seconds
        if request.timeout_seconds is not None:
            state.timeout_seconds = request.timeout_seconds
        if request.code_style is not None:
            state.code_style = request.code_style
        return {
            "answer_delay_seconds": state.answer_delay_seconds,
            "timeout_seconds": state.timeout_seconds,
            "code_style": state.code_style,
        }

    return app
