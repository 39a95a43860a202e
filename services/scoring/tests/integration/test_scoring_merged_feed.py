"""Merged agencies on the real broker and database: the compacted feed and the live
stream give an absorbing agency's rolled-up figures, equal to `/v1/indicators` for the
same scope and period, before and after the absorbed agency's later changes; the
absorbed agency's own entries stay its own; the day a merge begins owes the absorber's
current periods."""

from __future__ import annotations

from datetime import date, datetime

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from scoring_sse import SseReader

from motcua.clock import ManualClock
from motcua.db import create_engine
from motcua.events import AgencyUpdated, Envelope, Verdict, decode
from motcua_scoring.domain import LOCAL_TZ
from motcua_scoring.service import DayTurn

pytestmark = pytest.mark.infra

ABSORBED, ABSORBER = "XADONG", "XATAY"
MERGED_ON = date(2026, 11, 10)
STREAM = "/v1/indicators/stream"
CHECKED = ["2026-11", "2026-Q4", "2026-11-05", "2026-11-12", "2026-11-15"]


def local(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=LOCAL_TZ)


def agency(code: str, revision: int, into: str | None = None, on: date | None = None):
    at = local(11, 1)
    data = AgencyUpdated(
        code=code,
        name=f"Xã {code}",
        level="commune",
        kind="commune",
        merged_into=into,
        merged_on=on,
        retired_at=datetime.combine(on, datetime.min.time(), LOCAL_TZ) if on else None,
        revision=revision,
    )
    return Envelope.wrap(
        data, producer="intake", occurred_at=at, now=at, dossier_code=None, agency_code=code
    )


def received(script, agency_code: str, n: int, at: datetime) -> str:
    code = f"{agency_code}-26{at:%m%d}-{n:04d}"
    script.received(code, at, agency=agency_code)
    script.deadline(code, at, local(at.month, at.day + 3, 17), agency=agency_code)
    return code


def resolved(script, code: str, agency_code: str, at: datetime) -> None:
    script.finished(code, at, agency=agency_code)
    script.verdict(code, at, Verdict.ON_TIME, 2, agency=agency_code)


class Stack:
    def __init__(self, settings, service, script, publish, scoring_db, wait_until) -> None:
        self.settings, self.service, self.script = settings, service, script
        self.publish, self.db, self.wait_until = publish, scoring_db, wait_until
        self.sent = 0

    async def query(self, sql: str, **params) -> list:
        return await self.db(self.settings.database.url, sql, **params)

    async def events(self) -> None:
        """Publish the script's new events and wait until they are absorbed and every
        owed key is on the feed."""
        self.sent += len(self.script.envelopes)
        await self.script.publish(self.publish)
        self.script.intake.clear()
        self.script.tracking.clear()
        await self.wait_until(self._absorbed, what="events absorbed")
        await self.wait_until(self._relayed, what="feed published")

    async def merge(self) -> None:
        """Record the merge as intake publishes it and wait until the feed follows."""
        topic = self.script.topics.agencies
        await self.publish(topic, agency(ABSORBER, 1), agency(ABSORBED, 2, ABSORBER, MERGED_ON))

        async def recorded() -> bool:
            rows = await self.query(
                "SELECT count(*) FROM agencies WHERE code = :code AND merged_into = :into",
                code=ABSORBED,
                into=ABSORBER,
            )
            return rows[0][0] == 1

        await self.wait_until(recorded, what="merge recorded")
        await self.wait_until(self._relayed, what="feed published")

    async def _absorbed(self) -> bool:
        rows = await self.query(
            "SELECT count(*) FROM processed_events WHERE consumer = :consumer",
            consumer=self.settings.consumer_name,
        )
        return rows[0][0] >= self.sent

    async def _relayed(self) -> bool:
        rows = await self.query(
            "SELECT (SELECT count(*) FROM dirty_keys) + (SELECT count(*) FROM outbox)"
        )
        return rows[0][0] == 0

    async def api(self, scope: str) -> dict[str, dict]:
        params = [("scope", scope)] + [("period", p) for p in CHECKED]
        async with self.service.client() as client:
            response = await client.get("/v1/indicators", params=params)
        response.raise_for_status()
        return {item["period"]: item["figures"] for item in response.json()["items"]}

    async def logged(self, scope: str, period: str, after: int = 0) -> list[tuple[int, dict]]:
        rows = await self.query(
            "SELECT seq, figures FROM indicator_changes"
            " WHERE scope = :scope AND period = :period AND seq > :after ORDER BY seq",
            scope=scope,
            period=period,
            after=after,
        )
        return [(seq, figures) for seq, figures in rows]

    async def feed(self) -> dict[str, dict]:
        """The latest values of every key of the compacted topic."""
        consumer = AIOKafkaConsumer(
            self.settings.topics.indicators,
            **self.settings.kafka.client_options(),
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        latest: dict[str, dict] = {}
        try:
            while batch := await consumer.getmany(timeout_ms=1500):
                for records in batch.values():
                    for record in records:
                        latest[record.key.decode()] = dict(decode(record.value).data.values)
        finally:
            await consumer.stop()
        return latest


def last_sent(changes: list[tuple[int, dict]]) -> int:
    """The change a client following since before `changes` is sent last: the first of
    the trailing run of equal figures (a client is sent only figures that differ)."""
    seq = changes[-1][0]
    for earlier, figures in reversed(changes[:-1]):
        if figures != changes[-1][1]:
            break
        seq = earlier
    return seq


async def test_feed_and_stream_give_an_absorbing_agency_the_figures_of_the_api(
    scoring_settings, start_scoring, script, publish, scoring_db, wait_until
):
    settings = await scoring_settings()
    stack = Stack(settings, await start_scoring(settings), script, publish, scoring_db, wait_until)
    b, a = f"agency:{ABSORBER}", f"agency:{ABSORBED}"

    # Before the merge is recorded: both communes receive and resolve.
    b1 = received(script, ABSORBER, 1, local(11, 5))
    resolved(script, b1, ABSORBER, local(11, 6))
    a1 = received(script, ABSORBED, 1, local(11, 5))
    resolved(script, a1, ABSORBED, local(11, 6))
    received(script, ABSORBED, 2, local(11, 7))  # open at the merge date: carried over
    a3 = received(script, ABSORBED, 3, local(11, 7))
    await stack.events()
    a_alone = await stack.api(a)

    # The merge is recorded after the date: the absorber's entries follow at once.
    await stack.merge()
    rolled = await stack.api(b)
    assert rolled["2026-11"]["carried_over"] == 2  # XADONG's two open dossiers
    for period in CHECKED:
        assert (await stack.logged(b, period))[-1][1] == rolled[period]

    async with httpx.AsyncClient(base_url=stack.service.url, timeout=None) as client:
        query = {"scope": b, "period": "2026-11"}
        async with client.stream("GET", STREAM, params=query) as response:
            updates = SseReader(response)
            ready_id, _ = await updates.next("ready", within=30)
            ready = int(ready_id)

            # After the merge the absorber receives and resolves; then only the absorbed
            # commune's counters move, and the absorber's entries follow them.
            b2 = received(script, ABSORBER, 2, local(11, 12))
            resolved(script, b2, ABSORBER, local(11, 13))
            await stack.events()
            resolved(script, a3, ABSORBED, local(11, 12))
            received(script, ABSORBED, 4, local(11, 15))
            await stack.events()

            api_b = await stack.api(b)
            since_ready = await stack.logged(b, "2026-11", after=ready)
            assert since_ready, "the absorber's month was not republished"
            seq, update = await updates.next("indicators", within=30)
            while int(seq) < last_sent(since_ready):
                seq, update = await updates.next("indicators", within=30)

    assert (update["scope"], update["period"]) == (b, "2026-11")
    assert update["figures"] == api_b["2026-11"]
    assert api_b["2026-11"]["received"] == 2 + 1  # its own two, XADONG's one from the date
    assert api_b["2026-11"]["resolved"] == 2 + 1
    assert api_b["2026-11"]["in_progress"] == 2  # XADONG's dossiers 2 and 4

    feed = await stack.feed()
    for period in CHECKED:
        assert feed[f"{b}|{period}"] == api_b[period], period
    api_a = await stack.api(a)
    for period in CHECKED:
        if f"{a}|{period}" in feed:
            assert feed[f"{a}|{period}"] == api_a[period], period
    assert feed[f"{a}|2026-11"]["received"] == 4  # its own, every one
    assert api_a["2026-11-05"] == a_alone["2026-11-05"]  # before the date: as it was
    assert feed[f"{b}|2026-11-05"]["received"] == 1  # nothing of XADONG before the date


async def test_the_day_a_merge_begins_owes_the_absorbers_current_periods(
    scoring_settings, start_scoring, script, publish, scoring_db, wait_until
):
    settings = await scoring_settings()
    stack = Stack(settings, await start_scoring(settings), script, publish, scoring_db, wait_until)
    received(script, ABSORBED, 1, local(11, 18))
    await stack.events()
    await stack.publish(script.topics.agencies, agency(ABSORBED, 2, ABSORBER, date(2026, 11, 22)))

    async def recorded() -> bool:
        rows = await stack.query("SELECT count(*) FROM agencies WHERE merged_into IS NOT NULL")
        return rows[0][0] == 1

    await wait_until(recorded, what="merge recorded")
    clock = ManualClock(local(11, 21, 10))
    engine = create_engine(settings.database)
    try:
        turn = DayTurn(engine, clock)
        before = await turn.check()
        clock.set(local(11, 22, 0))
        begun = await turn.check()
    finally:
        await engine.dispose()

    assert not {key for key in before if key[0] == f"agency:{ABSORBER}"}
    assert {key for key in begun if key[0] == f"agency:{ABSORBER}"} == {
        (f"agency:{ABSORBER}", period) for period in ("2026-11-22", "2026-11", "2026-Q4", "2026")
    }
