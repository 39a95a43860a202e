"""Bulk NDJSON imports: a legacy system's history or a day's batch, streamed.

Each line is one JSON object (see `ImportLine`):

* `{"kind": "registration", "dossier": <POST /v1/dossiers body>, "events": [<event>, …]}`
  a dossier and, in order, what happened to it since (all or nothing);
* `{"kind": "event", "dossier_code": "…", "event": <POST /v1/dossiers/{code}/events body>}`
* `{"kind": "apology", "dossier_code": "…", "apology": <POST …/apology body>}`

Blank lines are skipped (but counted in line numbers). Lines are applied in order, in
chunks of `chunk_lines` per transaction; a refused line is reported with its number and
reasons and does not stop the import. The body is never held whole: it is split into
lines as it arrives, and the next chunk is parsed while the previous one is written.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import orjson
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine

from motcua.clock import Clock
from motcua_intake.adapters import idempotency_store
from motcua_intake.adapters.metrics import (
    COMMANDS_ACCEPTED,
    COMMANDS_REJECTED,
    IMPORT_LINES,
    IMPORTS_RUNNING,
)
from motcua_intake.service.access import Principal
from motcua_intake.service.commands import ImportLine
from motcua_intake.service.dossiers import DossierService
from motcua_intake.service.errors import Rejection, shape_rejection
from motcua_intake.service.idempotency import replay
from motcua_intake.service.items import Accepted, Claim, Item, Outcome
from motcua_intake.service.ledger import Ledger

__all__ = ["ImportReport", "ImportService", "ndjson_lines"]

log = logging.getLogger(__name__)
_LINE: TypeAdapter[ImportLine] = TypeAdapter(ImportLine)
_COMMAND = "import"


async def ndjson_lines(
    chunks: AsyncIterator[bytes], max_line_bytes: int, digest: Any = None
) -> AsyncIterator[tuple[int, bytes | None]]:
    """(line number, line) for each non-blank line; None for a line over `max_line_bytes`."""
    pending = bytearray()
    number = 0
    oversized = False
    async for chunk in chunks:
        if digest is not None:
            digest.update(chunk)
        start = 0
        while (end := chunk.find(b"\n", start)) >= 0:
            number += 1
            piece = chunk[start:end]
            start = end + 1
            if oversized or len(pending) + len(piece) > max_line_bytes:
                oversized = False
                pending.clear()
                yield number, None
                continue
            if pending:
                pending += piece
                piece = bytes(pending)
                pending.clear()
            if piece.strip():
                yield number, piece
        if not oversized:
            pending += chunk[start:]
            if len(pending) > max_line_bytes:
                oversized = True
                pending.clear()
    if oversized:
        yield number + 1, None
    elif pending.strip():
        yield number + 1, bytes(pending)


@dataclass
class ImportReport:
    """How an import went; the first `limit` rejected lines are listed."""

    limit: int
    lines: int = 0
    accepted: int = 0
    rejected: int = 0
    rejections: list[dict[str, Any]] = field(default_factory=list)

    def accept(self, count: int) -> None:
        self.accepted += count
        IMPORT_LINES.labels("accepted").inc(count)
        COMMANDS_ACCEPTED.labels("import", _COMMAND).inc(count)

    def reject(self, number: int, rejection: Rejection) -> None:
        self.rejected += 1
        IMPORT_LINES.labels("rejected").inc()
        COMMANDS_REJECTED.labels("import", rejection.code).inc()
        if len(self.rejections) < self.limit:
            self.rejections.append(
                {
                    "line": number,
                    "code": rejection.code,
                    "detail": rejection.detail,
                    "errors": [
                        {"pointer": e.pointer, "code": e.code, "detail": e.detail}
                        for e in rejection.errors
                    ],
                }
            )

    def summary(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "rejections": sorted(self.rejections, key=lambda r: int(r["line"])),
            "rejections_not_listed": self.rejected - len(self.rejections),
        }


class ImportService:
    """Runs imports: parse and check each line, apply them chunk by chunk."""

    def __init__(
        self,
        engine: AsyncEngine,
        dossiers: DossierService,
        ledger: Ledger,
        clock: Clock,
        *,
        chunk_lines: int,
        max_line_bytes: int,
        max_listed: int,
        log_every: int,
    ) -> None:
        self._engine = engine
        self._dossiers = dossiers
        self._ledger = ledger
        self._clock = clock
        self._chunk_lines = chunk_lines
        self._max_line_bytes = max_line_bytes
        self._max_listed = max_listed
        self._log_every = log_every

    async def run(
        self, chunks: AsyncIterator[bytes], caller: Principal, key: str | None
    ) -> Accepted:
        """Import a stream of NDJSON; 200 with the report (replayed under a used key)."""
        scope = caller.dossier_scope()
        digest = hashlib.sha256(b"import\0")
        if key is None:
            report = await self._import(chunks, scope, digest)
            return Accepted(200, orjson.dumps(report.summary()))
        claim_scope = caller.idempotency_scope
        async with self._engine.begin() as conn:
            stored = (await idempotency_store.find(conn, [(claim_scope, key)])).get(
                (claim_scope, key)
            )
            claimed = stored is None and await idempotency_store.claim(conn, claim_scope, key, b"")
        if not claimed:
            return await self._replay(chunks, digest, claim_scope, key)
        try:
            report = await self._import(chunks, scope, digest)
        except BaseException:
            async with self._engine.begin() as conn:
                await idempotency_store.release(conn, claim_scope, key)
            raise
        body = orjson.dumps(report.summary())
        async with self._engine.begin() as conn:
            await idempotency_store.complete(conn, claim_scope, key, digest.digest(), 200, body)
        return Accepted(200, body)

    async def _replay(
        self, chunks: AsyncIterator[bytes], digest: Any, scope: str, key: str
    ) -> Accepted:
        async for chunk in chunks:
            digest.update(chunk)
        async with self._engine.connect() as conn:
            stored = (await idempotency_store.find(conn, [(scope, key)])).get((scope, key))
        if stored is None:
            raise Rejection("conflict", "idempotency_key_in_progress", "the import was abandoned")
        outcome = replay(stored, Claim(scope, key, digest.digest()))
        if isinstance(outcome, Rejection):
            raise outcome
        return outcome

    async def _import(
        self, chunks: AsyncIterator[bytes], scope: str | None, digest: Any
    ) -> ImportReport:
        report = ImportReport(self._max_listed)
        IMPORTS_RUNNING.inc()
        writing: asyncio.Task[None] | None = None
        batch: list[tuple[int, bytes | None]] = []
        try:
            try:
                async for numbered in ndjson_lines(chunks, self._max_line_bytes, digest):
                    batch.append(numbered)
                    if len(batch) >= self._chunk_lines:
                        writing = await self._next(writing, batch, scope, report)
                        batch = []
                writing = await self._next(writing, batch, scope, report)
            except Rejection as stopped:
                if writing is not None:
                    await writing
                raise Rejection(
                    stopped.kind, stopped.code, stopped.detail, stopped.errors, report.summary()
                ) from None
            if writing is not None:
                await writing
        finally:
            IMPORTS_RUNNING.dec()
        if report.accepted + report.rejected == 0:
            raise Rejection("invalid", "empty_import", "the import has no line to apply")
        log.info("import finished", extra=_progress(report))
        return report

    async def _next(
        self,
        writing: asyncio.Task[None] | None,
        batch: list[tuple[int, bytes | None]],
        scope: str | None,
        report: ImportReport,
    ) -> asyncio.Task[None] | None:
        """Check `batch` while the previous chunk is written, then start writing it."""
        items = self._items(batch, scope, report)
        if writing is not None:
            await writing
        if not items:
            return None
        return asyncio.create_task(self._write(items, report))

    def _items(
        self, batch: list[tuple[int, bytes | None]], scope: str | None, report: ImportReport
    ) -> list[tuple[int, Item]]:
        now = self._clock.now()
        items = []
        for number, raw in batch:
            report.lines += 1
            if report.lines % self._log_every == 0:
                log.info("import progress", extra=_progress(report))
            if raw is None:
                report.reject(number, _too_long(self._max_line_bytes))
                continue
            try:
                line = _LINE.validate_json(raw)
                items.append((number, self._dossiers.import_item(line, scope, now)))
            except ValidationError as error:
                report.reject(number, shape_rejection(error.errors(), tagged_top=True))
            except Rejection as rejection:
                report.reject(number, rejection)
        return items

    async def _write(self, items: list[tuple[int, Item]], report: ImportReport) -> None:
        outcomes: list[Outcome] = await self._ledger.apply([item for _, item in items])
        accepted = 0
        for (number, _), outcome in zip(items, outcomes, strict=True):
            if isinstance(outcome, Rejection):
                report.reject(number, outcome)
            else:
                accepted += 1
        report.accept(accepted)


def _progress(report: ImportReport) -> dict[str, int]:
    return {"lines": report.lines, "accepted": report.accepted, "rejected": report.rejected}


def _too_long(limit: int) -> Rejection:
    return Rejection("invalid", "line_too_long", f"a line may hold at most {limit} bytes")
