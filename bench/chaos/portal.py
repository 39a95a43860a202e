"""The portal's side of the truth check: after the drain, every dossier the simulator
registered is on the fake national portal (`GET /_received?MaHoSo=`), with the status
tracking ended it in, and with one progress entry per step intake accepted, in the
order they happened: none missing, none doubled (a step sent again under another key),
none out of order.

A step's kind is read back from the entry's NoiDungXuLy (the portal service writes each
kind's Vietnamese wording first); the portal lists a dossier's entries by time.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

import asyncpg
import httpx

from motcua.clock import VIETNAM
from motcua_demo.expected import Outcome, outcome
from motcua_demo.simulator import Record
from motcua_demo.stories import Story

__all__ = ["check_portal"]

NOT_A_STEP = {"satisfaction_rated"}
"""Accepted requests that are no step of the portal's progress history."""
# The wording each kind starts with, longest first where one begins another.
_KINDS = (
    ("Tiếp nhận hồ sơ bổ sung", "supplement_received"),
    ("Tiếp nhận hồ sơ", "register"),
    ("Chuyển hồ sơ", "transferred"),
    ("Yêu cầu bổ sung", "supplement_requested"),
    ("Yêu cầu thực hiện nghĩa vụ tài chính", "financial_obligation_set"),
    ("Đã thực hiện nghĩa vụ tài chính", "financial_obligation_paid"),
    ("Đã xử lý xong", "processing_finished"),
    ("Đã trả kết quả", "result_returned"),
    ("Từ chối giải quyết", "refused"),
    ("Dừng xử lý", "withdrawn"),
    ("Công dân yêu cầu rút hồ sơ", "withdrawn"),
    ("Xin lỗi", "apology"),
)
SETTLE_SECONDS = 120.0


async def check_portal(
    count: Any,
    examples: list[str],
    dsn: str,
    portal_url: str,
    tracking: tuple[str, str],
    run: tuple[list[Story], Record],
) -> None:
    """Count what differs (`count(name, value)`, a Verdict's) and keep a few examples."""
    stories, record = run
    unsynced = await _settled(dsn)
    count("portal: dossiers not acknowledged after the drain", unsynced["waiting"])
    count("portal: dossiers dead-lettered", unsynced["dead"])
    known = [(record.codes[s.number], k) for s in stories if (k := outcome(s, record))]
    tracking_url, token = tracking
    headers = {"Authorization": f"Bearer {token}"}
    found: Counter[str] = Counter()
    async with (
        httpx.AsyncClient(base_url=portal_url, timeout=10) as fake,
        httpx.AsyncClient(base_url=tracking_url, timeout=10, headers=headers) as tracker,
    ):
        for code, known_outcome in known:
            held = (await fake.get("/_received", params={"MaHoSo": code})).json()
            view = await tracker.get(f"/v1/dossiers/{code}")
            status = view.json()["status"]["code"] if view.status_code == 200 else None
            for problem in _compare(held, status, known_outcome):
                found[problem] += 1
                if sum(found.values()) <= 5:
                    examples.append(f"{code}: {problem} ({_summary(held, known_outcome)})")
    count("portal: registered dossiers missing on the portal", found["missing"])
    count("portal: dossiers whose status differs from tracking's", found["wrong status"])
    count("portal: progress entries doubled", found["doubled entries"])
    count("portal: progress entries missing", found["missing entries"])
    count("portal: dossiers with their progress out of order", found["out of order"])


def _compare(held: dict[str, Any], status: int | None, known: Outcome) -> list[str]:
    portal_record = held.get("record")
    if portal_record is None:
        return ["missing"]
    problems = []
    if status is None or str(portal_record.get("TrangThaiHoSo")) != str(status):
        problems.append("wrong status")
    shown = [_kind(entry.get("NoiDungXuLy", "")) for entry in held.get("progress", [])]
    expected = _expected(known)
    if len(shown) > len(expected):
        problems += ["doubled entries"] * (len(shown) - len(expected))
    elif len(shown) < len(expected):
        problems += ["missing entries"] * (len(expected) - len(shown))
    elif _ordered(held) != _ordered_expected(known):
        problems.append("out of order")
    return problems


def _expected(known: Outcome) -> list[str]:
    return [_step_kind(s) for s in sorted(known.steps, key=lambda s: s.at) if _is_step(s)]


def _is_step(step: Any) -> bool:
    return step.type not in NOT_A_STEP


def _step_kind(step: Any) -> str:
    return "register" if step.kind == "register" else str(step.type)


def _ordered(held: dict[str, Any]) -> list[tuple[str, str]]:
    """(second, kind) of each entry; steps in one second in no particular order."""
    return sorted(
        (str(e.get("ThoiDiemXuLy")), _kind(e.get("NoiDungXuLy", ""))) for e in held["progress"]
    )


def _ordered_expected(known: Outcome) -> list[tuple[str, str]]:
    """The same from the record; a registration's time is intake's (a moment later than
    the simulator's), so it stands at its own step's second only when nothing shares it."""
    steps = [s for s in known.steps if _is_step(s)]
    return sorted((f"{s.at.astimezone(VIETNAM):%Y%m%d%H%M%S}", _step_kind(s)) for s in steps)


def _kind(content: str) -> str:
    return next((kind for prefix, kind in _KINDS if content.startswith(prefix)), content[:30])


def _summary(held: dict[str, Any], known: Outcome) -> str:
    shown = [_kind(e.get("NoiDungXuLy", "")) for e in held.get("progress", [])]
    status = (held.get("record") or {}).get("TrangThaiHoSo")
    return f"portal status {status}, steps {shown}; record steps {_expected(known)}"


async def _settled(dsn: str) -> dict[str, int]:
    """Wait (at most SETTLE_SECONDS) until the portal service has nothing left to send;
    what still waits (pending, held) and what was given up on."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        connection = await asyncpg.connect(dsn)
        try:
            waiting = await connection.fetchval(
                "SELECT count(*) FROM portal_dossiers d LEFT JOIN portal_sync_queue q"
                " USING (code) WHERE d.synced_revision < d.revision"
                " AND coalesce(q.state, 'pending') <> 'dead'"
            )
            dead = await connection.fetchval(
                "SELECT count(*) FROM portal_sync_queue WHERE state = 'dead'"
            )
        finally:
            await connection.close()
        if not waiting or time.monotonic() > deadline:
            return {"waiting": int(waiting), "dead": int(dead)}
        await asyncio.sleep(1)
