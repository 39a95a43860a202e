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

The report is a JSON summary (`run`), or NDJSON streamed as the import proceeds
(`stream`): one line per imported line, in order, as its chunk is written
(`{"line", "status": "accepted"|"rejected", "dossier_code", "reason"}`, the code the
dossier was given or named), a `{"progress": …}` figure every `progress_every` lines,
and last the `{"summary": …}`. The streamed report is spooled to a temporary file, so an
import never waits for a client that reads its answer only once it has sent the body.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import tempfile
from collections.abc import AsyncIterator, Callable
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
from motcua_intake.service.commands import ImportLine, RegistrationLine
from motcua_intake.service.dossiers import DossierService
from motcua_intake.service.errors import Rejection, shape_rejection
from motcua_intake.service.idempotency import replay
from motcua_intake.service.items import Answer, Claim, Item, Outcome, Receipt, Replayed
from motcua_intake.service.ledger import Ledger

__all__ = ["ImportReport", "ImportService", "ReportSpool", "StreamedReport", "ndjson_lines"]

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
    """How an import went; the first `limit` rejected lines are listed.

    With `emit`, each decided line is also reported, in line order, when `flush` is
    called after its chunk is written, with a progress figure every `progress_every`
    reported lines.
    """

    limit: int
    emit: Callable[[bytes], None] | None = None
    progress_every: int = 10_000
    lines: int = 0
    accepted: int = 0
    rejected: int = 0
    rejections: list[dict[str, Any]] = field(default_factory=list)
    _pending: list[tuple[int, bytes]] = field(default_factory=list)
    _reported: int = 0

    def accept(self, count: int) -> None:
        self.accepted += count
        IMPORT_LINES.labels("accepted").inc(count)
        COMMANDS_ACCEPTED.labels("import", _COMMAND).inc(count)

    def accepted_line(self, number: int, dossier_code: str | None) -> None:
        if self.emit is not None:
            entry = {"line": number, "status": "accepted", "dossier_code": dossier_code}
            self._pending.append((number, orjson.dumps(entry)))

    def reject(self, number: int, rejection: Rejection, dossier_code: str | None = None) -> None:
        self.rejected += 1
        IMPORT_LINES.labels("rejected").inc()
        COMMANDS_REJECTED.labels("import", rejection.code).inc()
        reason = {
            "code": rejection.code,
            "detail": rejection.detail,
            "errors": [
                {"pointer": e.pointer, "code": e.code, "detail": e.detail} for e in rejection.errors
            ],
        }
        if len(self.rejections) < self.limit:
            self.rejections.append({"line": number, **reason})
        if self.emit is not None:
            entry = {
                "line": number,
                "status": "rejected",
                "dossier_code": dossier_code,
                "reason": reason,
            }
            self._pending.append((number, orjson.dumps(entry)))

    def flush(self) -> None:
        """Report the lines decided since the last flush, in order, and the progress."""
        if self.emit is None or not self._pending:
            return
        self._pending.sort(key=lambda pair: pair[0])
        before = self._reported
        self._reported += len(self._pending)
        self.emit(b"".join(entry + b"\n" for _, entry in self._pending))
        self._pending.clear()
        if self._reported // self.progress_every > before // self.progress_every:
            figure = {"lines": self._reported, "accepted": self.accepted, "rejected": self.rejected}
            self.emit(orjson.dumps({"progress": figure}) + b"\n")

    def summary(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "rejections": sorted(self.rejections, key=lambda r: int(r["line"])),
            "rejections_not_listed": self.rejected - len(self.rejections),
        }


class ReportSpool:
    """A streamed report: written by the import, read by the response as it grows.

    Kept in a temporary file rather than memory, so a client that reads nothing until it
    has sent its whole body neither holds the import back nor fills the memory.
    """

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the reader
        self._written = 0
        self._closed = False
        self._wake = asyncio.Event()

    @property
    def written(self) -> int:
        """Bytes written so far."""
        return self._written

    def write(self, data: bytes) -> None:
        self._file.seek(0, 2)
        self._file.write(data)
        self._written += len(data)
        self._wake.set()

    def discard(self) -> None:
        """Drop the spool unread."""
        self._file.close()

    def close(self) -> None:
        """No more lines will come."""
        self._closed = True
        self._wake.set()

    async def started(self) -> None:
        """Wait until a first line is written or the spool is closed."""
        while not self._written and not self._closed:
            self._wake.clear()
            await self._wake.wait()

    async def read(self) -> AsyncIterator[bytes]:
        """Every byte written, as it comes, until the spool is closed."""
        offset = 0
        try:
            while True:
                if offset < self._written:
                    self._file.seek(offset)
                    data = self._file.read(min(self._written - offset, 1 << 20))
                    offset += len(data)
                    yield data
                elif self._closed:
                    return
                else:
                    self._wake.clear()
                    await self._wake.wait()
        finally:
            self._file.close()


@dataclass
class StreamedReport:
    """An import's NDJSON report, read as it is written; `replayed` under a used key."""

    lines: AsyncIterator[bytes]
    replayed: bool = False


async def _read_while(spool: ReportSpool, work: asyncio.Task[None]) -> AsyncIterator[bytes]:
    """The spool's bytes; the import stops if the reader goes away before its end."""
    try:
        async for data in spool.read():
            yield data
    finally:
        if not work.done():
            work.cancel()
        await asyncio.wait({work})


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
        progress_every: int = 10_000,
        render: Callable[[ImportReport], Answer],
    ) -> None:
        self._engine = engine
        self._dossiers = dossiers
        self._ledger = ledger
        self._clock = clock
        self._chunk_lines = chunk_lines
        self._max_line_bytes = max_line_bytes
        self._max_listed = max_listed
        self._log_every = log_every
        self._progress_every = progress_every
        # How a finished import is answered, kept under the request's idempotency key.
        self._render = render

    async def run(
        self, chunks: AsyncIterator[bytes], caller: Principal, key: str | None
    ) -> ImportReport | Replayed:
        """Import a stream of NDJSON; its report (the first answer under a used key)."""
        scope = caller.dossier_scope()
        digest = hashlib.sha256(b"import\0")
        if key is None:
            return await self._import(chunks, scope, digest, ImportReport(self._max_listed))
        claim_scope = caller.idempotency_scope
        async with self._engine.begin() as conn:
            stored = (await idempotency_store.find(conn, [(claim_scope, key)])).get(
                (claim_scope, key)
            )
            claimed = stored is None and await idempotency_store.claim(conn, claim_scope, key, b"")
        if not claimed:
            return await self._replay(chunks, digest, claim_scope, key)
        try:
            report = await self._import(chunks, scope, digest, ImportReport(self._max_listed))
        except BaseException:
            async with self._engine.begin() as conn:
                await idempotency_store.release(conn, claim_scope, key)
            raise
        await self._complete(claim_scope, key, digest, report)
        return report

    async def stream(
        self, chunks: AsyncIterator[bytes], caller: Principal, key: str | None
    ) -> StreamedReport:
        """Import a stream of NDJSON and report it as NDJSON while it proceeds.

        Returns once the first report line is written (a Rejection raised before that,
        such as an empty import, is raised here); a failure after it ends the report
        with an `{"error": …}` line. Under a used key, the stored summary is answered
        (the lines' report is not kept).
        """
        spool = ReportSpool()
        report = ImportReport(self._max_listed, spool.write, self._progress_every)
        replayed = asyncio.Event()
        work = asyncio.create_task(self._streamed(chunks, caller, key, report, spool, replayed))
        started = asyncio.ensure_future(spool.started())
        try:
            await asyncio.wait({work, started}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            started.cancel()
        if work.done() and work.exception() is not None:
            spool.discard()
            work.result()
        return StreamedReport(_read_while(spool, work), replayed.is_set())

    async def _streamed(
        self,
        chunks: AsyncIterator[bytes],
        caller: Principal,
        key: str | None,
        report: ImportReport,
        spool: ReportSpool,
        replayed: asyncio.Event,
    ) -> None:
        """Run the import into `spool`, ending with its summary or an error."""
        try:
            stored = await self._run_report(chunks, caller, key, report)
            if stored is not None:
                replayed.set()
                spool.write(b'{"summary": ' + stored.answer.body + b"}\n")
            else:
                spool.write(orjson.dumps({"summary": report.summary()}) + b"\n")
        except Rejection as stopped:
            if not spool.written:
                raise
            problem = {"code": stopped.code, "detail": stopped.detail}
            spool.write(orjson.dumps({"error": problem}) + b"\n")
        except Exception:
            if not spool.written:
                raise
            log.exception("import interrupted")
            problem = {"code": "import_interrupted", "detail": "the import stopped here"}
            spool.write(orjson.dumps({"error": problem}) + b"\n")
        finally:
            spool.close()

    async def _run_report(
        self, chunks: AsyncIterator[bytes], caller: Principal, key: str | None, report: ImportReport
    ) -> Replayed | None:
        """The import with the idempotency of `run`: None when run, else the stored
        answer replayed."""
        scope = caller.dossier_scope()
        digest = hashlib.sha256(b"import\0")
        if key is None:
            await self._import(chunks, scope, digest, report)
            return None
        claim_scope = caller.idempotency_scope
        async with self._engine.begin() as conn:
            stored = (await idempotency_store.find(conn, [(claim_scope, key)])).get(
                (claim_scope, key)
            )
            claimed = stored is None and await idempotency_store.claim(conn, claim_scope, key, b"")
        if not claimed:
            return await self._replay(chunks, digest, claim_scope, key)
        try:
            await self._import(chunks, scope, digest, report)
        except BaseException:
            async with self._engine.begin() as conn:
                await idempotency_store.release(conn, claim_scope, key)
            raise
        await self._complete(claim_scope, key, digest, report)
        return None

    async def _complete(self, scope: str, key: str, digest: Any, report: ImportReport) -> None:
        """Keep the answer to a finished import under its idempotency key."""
        answer = self._render(report)
        async with self._engine.begin() as conn:
            await idempotency_store.complete(
                conn, scope, key, digest.digest(), answer.status_code, answer.body
            )

    async def _replay(
        self, chunks: AsyncIterator[bytes], digest: Any, scope: str, key: str
    ) -> Replayed:
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
        self, chunks: AsyncIterator[bytes], scope: str | None, digest: Any, report: ImportReport
    ) -> ImportReport:
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
        """Check `batch` while the previous chunk is written, then start writing it.

        Returns once its writes are with PostgreSQL: the next chunk is checked while
        PostgreSQL writes this one, not while this one is planned (the event loop is
        one; checking first would hold the writer back by as long)."""
        items = self._items(batch, scope, report)
        if writing is not None:
            await writing
        sent = asyncio.Event()
        task = asyncio.create_task(self._write(items, report, sent))
        waiting = asyncio.ensure_future(sent.wait())
        try:
            await asyncio.wait({task, waiting}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiting.cancel()
        return task

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
            except ValidationError as error:
                report.reject(number, shape_rejection(error.errors(), tagged_top=True))
                continue
            try:
                items.append((number, self._dossiers.import_item(line, scope, now)))
            except Rejection as rejection:
                report.reject(number, rejection, _named_code(line))
        return items

    async def _write(
        self, items: list[tuple[int, Item]], report: ImportReport, sent: asyncio.Event
    ) -> None:
        outcomes: list[Outcome] = []
        if items:
            outcomes = await self._ledger.apply([item for _, item in items], sent=sent)
        accepted = 0
        for (number, item), outcome in zip(items, outcomes, strict=True):
            if isinstance(outcome, Rejection):
                report.reject(number, outcome, _item_code(item))
            else:
                accepted += 1
                code = outcome.dossier_code if isinstance(outcome, Receipt) else None
                report.accepted_line(number, code or _item_code(item))
        report.accept(accepted)
        report.flush()


def _progress(report: ImportReport) -> dict[str, int]:
    return {"lines": report.lines, "accepted": report.accepted, "rejected": report.rejected}


def _named_code(line: ImportLine) -> str | None:
    """The dossier code a line names (a registration's own code, if it brings one)."""
    if isinstance(line, RegistrationLine):
        return line.dossier.dossier_code
    return line.dossier_code


def _item_code(item: Item) -> str | None:
    if item.target is not None:
        return item.target
    return item.registration.client_code if item.registration is not None else None


def _too_long(limit: int) -> Rejection:
    return Rejection("invalid", "line_too_long", f"a line may hold at most {limit} bytes")
