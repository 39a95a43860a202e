"""The sender: claims due messages, sends them, records what happened.

Guarantee, per row of the delivery log (one idempotency key):
- A graceful stop (the app's lifespan ending) sends each message at most once and
  loses none: sends already under way finish and their outcome is committed; rows
  claimed but not yet handed to a gateway are released (attempt given back) for the
  next instance. So across restarts each key reaches the gateway exactly once.
- A crash (process killed) leaves the batch in flight leased; when the lease ends
  (`lease_seconds`) the rows are sent again. Only messages handed to a gateway in
  the last moments before the crash can go twice, and each carries its idempotency
  key (SMTP Message-ID, SMS client_ref, ZNS tracking_id, webhook Idempotency-Key) so
  the gateway or receiver can drop the repeat.
- An alert to officials is checked under its lease right before it is handed to the
  gateway: if tracking withdrew it meanwhile (the withdrawal took a row being sent as
  gone out and wrote a correction), it is marked withdrawn and never sent, so an alert
  released by a stop or whose lease ran out never goes out after its correction. The
  alerts that reach that check in the same turn of the event loop (a batch's, past the
  concurrency bound and the rate limit together) are checked in one query.

An idle sender sleeps until the earliest row of its channel comes due, or until rows are
queued (NOTIFY), at most `idle_poll_seconds` (a safety net for a lost notification).
"""

from __future__ import annotations

import asyncio
import logging
import random
import socket
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from motcua.clock import Clock, clock_speed
from motcua.db import Sessions
from motcua.loops import Loop, Step
from motcua_notify.adapters import metrics
from motcua_notify.adapters.channels.channel import Channel as Sender
from motcua_notify.adapters.notification_store import (
    Claimed,
    claim,
    record_outcomes,
    still_to_send,
)
from motcua_notify.adapters.queue_wakeups import next_due
from motcua_notify.adapters.throttle import TokenBucket
from motcua_notify.domain.messages import Audience, Channel, MessageType
from motcua_notify.domain.outbound import (
    OutboundMessage,
    PermanentFailure,
    SendResult,
    TemporaryFailure,
)
from motcua_notify.domain.outcomes import Decision, Status, decide
from motcua_notify.domain.quiet_hours import QuietHours, earliest_send_time
from motcua_notify.domain.retry import RetryPolicy
from motcua_notify.domain.stored import content_from_json
from motcua_notify.domain.withdrawals import ALERT_MESSAGES, WITHDRAWN_REASON
from motcua_notify.service.publishing import Notice, NoticePublisher, after_commit
from motcua_notify.settings import DispatchSettings

__all__ = ["Dispatcher"]

log = logging.getLogger(__name__)
_SHORTEST_PAUSE = 0.05
_SPARE_POLL_FACTOR = 12


@dataclass(frozen=True)
class _Released:
    """Claimed but never handed to the gateway (stopping): back to the queue."""


@dataclass(frozen=True)
class _Deferred:
    """A citizen SMS that came due in quiet hours: back to the queue until morning."""

    until: datetime


@dataclass(frozen=True)
class _Withdrawn:
    """An alert tracking withdrew after it was claimed: never sent."""


_Attempt = SendResult | _Released | _Deferred | _Withdrawn
_ALERTS = frozenset(m.value for m in ALERT_MESSAGES.values())


class Dispatcher:
    """One sending loop per channel, sharing the delivery log with other instances."""

    def __init__(
        self,
        sessions: Sessions,
        senders: Mapping[Channel, Sender],
        limits: Mapping[Channel, TokenBucket],
        clock: Clock,
        quiet: QuietHours,
        publisher: NoticePublisher,
        options: DispatchSettings,
        wake: Callable[[], asyncio.Event] | None = None,
    ) -> None:
        """`options` says how the sender works (its `rate_limits` and `housekeeping_seconds`
        are the app's, built into `limits` and the housekeeper); `wake` gives each sending
        loop an event of its own, set when rows are queued."""
        self._sessions = sessions
        self._senders = dict(senders)
        self._limits = dict(limits)
        self._clock = clock
        self._quiet = quiet
        self._publisher = publisher
        self._options = options
        self._retry = RetryPolicy(
            options.max_attempts, options.backoff_initial_seconds, options.backoff_max_seconds
        )
        self._slots = {c: asyncio.Semaphore(options.concurrency) for c in self._senders}
        self.owner = f"{socket.gethostname()}:{uuid.uuid4().hex[:12]}"
        self._checks = _PreSendChecks(sessions, self.owner)
        self._stop = asyncio.Event()
        self._next_due: dict[Channel, datetime | None] = {}
        self.loops = [
            Loop(
                f"dispatch-{channel.value}-{n}",
                self._step_of(channel, n),
                wake=None if wake is None else wake(),
            )
            for channel in self._senders
            for n in range(options.workers)
        ]

    async def run(self, stop: asyncio.Event) -> None:
        """Send until `stop` is set; then finish sends under way and release the rest.

        Each channel has `workers` loops, so one claims and settles while another sends;
        `concurrency` bounds the sends under way per channel across them. With every
        channel disabled there is nothing to send, and the task still lives until `stop`
        (a task that ends makes `/health` fail).
        """
        self._stop = stop
        if not self.loops:
            await stop.wait()
            return
        await asyncio.gather(*(loop.run(stop) for loop in self.loops))

    def _step_of(self, channel: Channel, worker: int) -> Step:
        # A channel's first sender keeps the safety poll; the others, there for throughput
        # under load, wake on a notification or the next row coming due.
        poll = self._options.idle_poll_seconds * (1 if worker == 0 else _SPARE_POLL_FACTOR)

        async def step() -> float:
            if await self.dispatch_once(channel, self._stop):
                return 0.0
            return self.idle_pause(channel, poll)

        return step

    def idle_pause(self, channel: Channel, poll: float) -> float:
        """Real seconds until the channel's earliest waiting row comes due (as the last claim
        that found nothing saw it), at most `poll`."""
        due = self._next_due.pop(channel, None)
        if due is None:
            return poll
        wait = (due - self._clock.now()).total_seconds() / clock_speed(self._clock)
        return min(max(wait, _SHORTEST_PAUSE), poll)

    async def dispatch_once(self, channel: Channel, stop: asyncio.Event | None = None) -> int:
        """Claim one batch of due messages of a channel and settle it; returns its size."""
        stop = stop or asyncio.Event()
        async with self._sessions() as session, session.begin():
            rows = await claim(
                session,
                channel.value,
                self._clock.now(),
                self._options.batch_size,
                self.owner,
                self._options.lease_seconds,
            )
            if not rows:
                self._next_due[channel] = await next_due(session, channel.value)
        if not rows:
            return 0
        attempts = await asyncio.gather(*(self._attempt(row, stop) for row in rows))
        await self._settle(rows, attempts)
        return len(rows)

    async def _attempt(self, row: Claimed, stop: asyncio.Event) -> _Attempt:
        channel = Channel(row.channel)
        async with self._slots[channel]:
            if stop.is_set():
                return _Released()
            if channel is Channel.SMS and row.audience == Audience.CITIZEN:
                now = self._clock.now()
                morning = earliest_send_time(now, self._quiet)
                if morning > now:
                    return _Deferred(morning)
            if row.content is None or row.recipient is None:
                return PermanentFailure("content_purged")
            limit = self._limits.get(channel)
            if limit is not None:
                await limit.take()
            if stop.is_set():
                return _Released()
            if row.message_type in _ALERTS and not await self._checks.still_to_send(row.id):
                return _Withdrawn()
            return await self._send(channel, row)

    async def _send(self, channel: Channel, row: Claimed) -> SendResult:
        content = row.content or {}
        message = OutboundMessage(
            row.idempotency_key,
            row.dossier_code or "",
            MessageType(row.message_type),
            channel,
            row.recipient or "",
            content_from_json(channel, content),
            row.template_version or 1,
        )
        try:
            return await self._senders[channel].send(message)
        except Exception:
            # Channels report failures as results; an exception is a bug, retried as temporary.
            log.exception("channel raised", extra={"channel": channel.value})
            return TemporaryFailure("channel_error")

    async def _settle(self, rows: Sequence[Claimed], attempts: Sequence[_Attempt]) -> None:
        now = self._clock.now()
        updates: list[dict[str, Any]] = []
        notices: list[Notice] = []
        decided: list[tuple[Claimed, Decision]] = []
        for row, attempt in zip(rows, attempts, strict=True):
            if isinstance(attempt, _Withdrawn):
                updates.append(self._update(row, Status.WITHDRAWN, WITHDRAWN_REASON, attempts=-1))
                continue
            if isinstance(attempt, _Released | _Deferred):
                until = attempt.until if isinstance(attempt, _Deferred) else None
                reason = "quiet_hours" if until else None
                updates.append(self._update(row, Status.PENDING, reason, attempts=-1, at=until))
                continue
            quiet = self._quiet if _citizen_sms(row) else None
            decision = decide(attempt, row.attempts, now, self._retry, random.random(), quiet)
            decided.append((row, decision))
            updates.append(self._outcome(row, decision, now))
            if decision.sent or decision.status is Status.FAILED:
                notices.append(_notice(row, decision))
        async with self._sessions() as session, session.begin():
            await record_outcomes(session, updates)
            await self._publisher.stage(session, notices, now)
            after_commit(session, lambda: _count(decided))

    def _outcome(self, row: Claimed, decision: Decision, now: datetime) -> dict[str, Any]:
        update = self._update(row, decision.status, decision.reason, at=decision.not_before)
        update["provider_id"] = decision.provider_message_id
        if decision.sent:
            update["sent_at"] = now
        if decision.status is Status.DELIVERED:
            update["delivered_at"] = now
        if decision.status is Status.FAILED:
            update["failed_at"] = now
        return update

    def _update(
        self,
        row: Claimed,
        status: Status,
        reason: str | None,
        attempts: int = 0,
        at: datetime | None = None,
    ) -> dict[str, Any]:
        return {
            "id": row.id,
            "owner": self.owner,
            "status": status.value,
            "reason": reason,
            "provider_id": None,
            "not_before": at,
            "sent_at": None,
            "delivered_at": None,
            "failed_at": None,
            "attempts": attempts,
        }


class _PreSendChecks:
    """The check of an alert right before it is handed to its gateway (`still_to_send`),
    made in one query for every row that asks in the same turn of the event loop."""

    def __init__(self, sessions: Sessions, owner: str) -> None:
        self._sessions = sessions
        self._owner = owner
        self._asking: dict[int, asyncio.Future[bool]] = {}
        self._rounds: set[asyncio.Task[None]] = set()

    async def still_to_send(self, row_id: int) -> bool:
        """Whether the leased row may still be sent (see `still_to_send`)."""
        answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._asking[row_id] = answer
        if len(self._asking) == 1:
            round_ = asyncio.create_task(self._answer())
            self._rounds.add(round_)
            round_.add_done_callback(self._rounds.discard)
        return await answer

    async def _answer(self) -> None:
        await asyncio.sleep(0)  # the rows asking in this turn join the round
        asking, self._asking = self._asking, {}
        try:
            async with self._sessions() as session, session.begin():
                kept = await still_to_send(session, asking.keys(), self._owner)
        except Exception as error:
            for answer in asking.values():
                if not answer.done():
                    answer.set_exception(error)
            return
        for row_id, answer in asking.items():
            if not answer.done():
                answer.set_result(row_id in kept)


def _citizen_sms(row: Claimed) -> bool:
    return row.channel == Channel.SMS and row.audience == Audience.CITIZEN


def _notice(row: Claimed, decision: Decision) -> Notice:
    return Notice(
        public_id=row.public_id,
        dossier_code=row.dossier_code,
        agency_code=row.agency_code,
        message_type=row.message_type,
        channel=row.channel,
        audience=row.audience,
        correlation_id=row.correlation_id,
        failure=(decision.reason or "unknown") if decision.status is Status.FAILED else None,
    )


def _count(decided: list[tuple[Claimed, Decision]]) -> None:
    for row, decision in decided:
        labels = (row.channel, row.message_type)
        if decision.sent:
            metrics.SENT.labels(*labels).inc()
        elif decision.retried:
            metrics.RETRIED.labels(*labels, decision.reason or "unknown").inc()
        else:
            metrics.FAILED.labels(*labels, decision.reason or "unknown").inc()
