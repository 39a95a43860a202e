"""Use cases on dossiers: register, record an event, file an apology, look one up.

HTTP requests, Kafka commands and import lines all become `Item`s checked by the same
`Checker` and applied by the same `Ledger`, so they are refused for the same reasons.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import orjson
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine

from motcua.clock import Clock
from motcua.http import vietnam_time
from motcua_intake.adapters import dossier_store
from motcua_intake.adapters.metrics import COMMANDS_ACCEPTED, COMMANDS_REJECTED
from motcua_intake.service.access import Principal
from motcua_intake.service.checks import Checker
from motcua_intake.service.commands import (
    ApologyBody,
    ApologyLine,
    DossierCommand,
    EventBody,
    EventLine,
    FileApologyCommand,
    ImportLine,
    RecordEventCommand,
    RegisterBody,
    RegisterDossierCommand,
    RegistrationLine,
)
from motcua_intake.service.errors import Rejection, shape_rejection
from motcua_intake.service.group_commit import GroupCommit
from motcua_intake.service.idempotency import claim_for
from motcua_intake.service.items import Claim, Item, Outcome, Receipt, Replayed, Source
from motcua_intake.service.ledger import Ledger

__all__ = ["DossierService", "command_name", "count"]

_COMMAND: TypeAdapter[DossierCommand] = TypeAdapter(DossierCommand)


def count(source: Source, command: str, outcome: Outcome) -> None:
    """Count an outcome in the accepted/rejected metrics (replays are not counted)."""
    if isinstance(outcome, Rejection):
        COMMANDS_REJECTED.labels(source, outcome.code).inc()
    elif isinstance(outcome, Receipt):
        COMMANDS_ACCEPTED.labels(source, command).inc()


class DossierService:
    """The dossier use cases behind every entry point."""

    def __init__(
        self,
        engine: AsyncEngine,
        ledger: Ledger,
        writer: GroupCommit,
        checker: Checker,
        clock: Clock,
    ) -> None:
        self._engine = engine
        self._ledger = ledger
        self._writer = writer
        self._checker = checker
        self._clock = clock

    async def register(
        self, body: RegisterBody, caller: Principal, key: str | None
    ) -> Receipt | Replayed:
        """Receive a dossier: its code, status and reception as recorded."""
        return await self._submit(
            "register_dossier",
            lambda now: self._registration(
                body,
                caller.dossier_scope(),
                now,
                "http",
                claim_for(caller.idempotency_scope, key, "register_dossier", None, body),
            ),
        )

    async def record_event(
        self, code: str, body: EventBody, caller: Principal, key: str | None
    ) -> Receipt | Replayed:
        """Record a later event of a dossier, if its status allows it."""
        return await self._submit(
            "record_event",
            lambda now: Item(
                "http",
                "record_event",
                caller.dossier_scope(),
                target=code,
                steps=(self._checker.step(body, now),),
                claim=claim_for(caller.idempotency_scope, key, "record_event", code, body),
            ),
        )

    async def file_apology(
        self, code: str, body: ApologyBody, caller: Principal, key: str | None
    ) -> Receipt | Replayed:
        """File the responsible unit's apology and new appointment (form 04)."""
        return await self._submit(
            "file_apology",
            lambda now: Item(
                "http",
                "file_apology",
                caller.dossier_scope(),
                target=code,
                steps=(self._checker.apology(body, now),),
                claim=claim_for(caller.idempotency_scope, key, "file_apology", code, body),
            ),
        )

    async def dossier(self, code: str, caller: Principal) -> bytes:
        """A dossier's status and every event recorded for it, as JSON."""
        scope = caller.dossier_scope()
        async with self._engine.connect() as conn:
            found = await dossier_store.history(conn, code)
        if found is None:
            raise Rejection("not_found", "dossier_not_found", f"no dossier {code!r}")
        state, envelopes = found
        if scope is not None and scope not in (state.agency, self._checker.office_of(state.agency)):
            raise Rejection("forbidden", "forbidden", f"dossier {code!r} belongs to another agency")
        return orjson.dumps(
            {
                "code": state.code,
                "agency_code": state.agency,
                "status": int(state.status),
                "status_label": state.status.label_vi,
                "received_at": vietnam_time(state.received_at),
                "events": [orjson.Fragment(e) for e in envelopes],
            }
        )

    async def execute(self, messages: Sequence[bytes]) -> list[Outcome]:
        """Apply Kafka commands in order; one outcome each (rejections are not raised)."""
        now = self._clock.now()
        outcomes: list[Outcome | None] = [None] * len(messages)
        items: list[tuple[int, Item]] = []
        for index, raw in enumerate(messages):
            try:
                items.append((index, self._command_item(_COMMAND.validate_json(raw), now)))
            except ValidationError as error:
                outcomes[index] = _invalid_command(error)
            except Rejection as rejection:
                outcomes[index] = rejection
        applied = await self._ledger.apply([item for _, item in items]) if items else []
        for (index, _), outcome in zip(items, applied, strict=True):
            outcomes[index] = outcome
        settled = [o for o in outcomes if o is not None]
        assert len(settled) == len(messages)
        for raw, outcome in zip(messages, settled, strict=True):
            count("kafka", command_name(raw), outcome)
        return settled

    def import_item(self, line: ImportLine, scope: str | None, now: datetime) -> Item:
        """An import line as an item (no idempotency of its own)."""
        check = self._checker
        match line:
            case RegistrationLine(dossier=dossier, events=events):
                return Item(
                    "import",
                    "import",
                    scope,
                    registration=check.registration(dossier, scope, now, "/dossier"),
                    steps=tuple(check.step(e, now, f"/events/{i}") for i, e in enumerate(events)),
                )
            case EventLine(dossier_code=code, event=event):
                step = check.step(event, now, "/event")
            case ApologyLine(dossier_code=code, apology=apology):
                step = check.apology(apology, now, "/apology")
        return Item("import", "import", scope, target=code, steps=(step,))

    async def _submit(self, command: str, build: Callable[[datetime], Item]) -> Receipt | Replayed:
        try:
            outcome: Outcome = await self._writer.submit(build(self._clock.now()))
        except Rejection as rejection:
            outcome = rejection
        count("http", command, outcome)
        if isinstance(outcome, Rejection):
            raise outcome
        return outcome

    def _registration(
        self,
        body: RegisterBody,
        scope: str | None,
        now: datetime,
        source: Source,
        claim: Claim | None,
        at: str = "",
    ) -> Item:
        registration = self._checker.registration(body, scope, now, at)
        return Item(source, "register_dossier", scope, registration=registration, claim=claim)

    def _command_item(
        self,
        command: RegisterDossierCommand | RecordEventCommand | FileApologyCommand,
        now: datetime,
    ) -> Item:
        scope = command.agency_code
        # Idempotency keys are filed under the agency answering for `scope` now: a merge
        # moves the absorbed agency's used keys to the absorbing one.
        keys_scope = self._checker.office_of(scope)
        match command:
            case RegisterDossierCommand(body=body):
                claim = claim_for(keys_scope, command.idempotency_key, command.command, None, body)
                return self._registration(body, scope, now, "kafka", claim, "/body")
            case RecordEventCommand(dossier_code=code, body=event):
                step = self._checker.step(event, now, "/body")
            case FileApologyCommand(dossier_code=code, body=apology):
                step = self._checker.apology(apology, now, "/body")
        claim = claim_for(keys_scope, command.idempotency_key, command.command, code, command.body)
        return Item("kafka", command.command, scope, target=code, steps=(step,), claim=claim)


def command_name(raw: bytes) -> str:
    """The command name of a raw Kafka message, for metrics (bounded: unknown → "invalid")."""
    try:
        name = orjson.loads(raw).get("command")
    except (orjson.JSONDecodeError, AttributeError):
        return "invalid"
    return name if name in {"register_dossier", "record_event", "file_apology"} else "invalid"


def _invalid_command(error: ValidationError) -> Rejection:
    shaped = shape_rejection(error.errors(include_url=False), tagged_top=True)
    return Rejection("invalid", "invalid_command", shaped.detail, shaped.errors)
