"""Plays a week's plan against intake in simulated time, one dossier's steps in order."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

import httpx

from motcua.clock import Clock
from motcua_demo.intake import IntakeClient, IntakeError
from motcua_demo.stories import Step, Story


@dataclass
class Record:
    """What the simulator sent and how intake answered: the basis of the expected numbers."""

    codes: dict[int, str] = field(default_factory=dict)
    sent: list[tuple[Step, str]] = field(default_factory=list)  # (step, "ok" | error code)
    accepted_kinds: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    def accepted(self, story: Story) -> list[Step]:
        """The story's steps intake accepted."""
        return [s for s, outcome in self.sent if s.dossier == story.number and outcome == "ok"]


class Simulator:
    """Sends each step when the simulated clock reaches its time."""

    def __init__(self, intake: IntakeClient, clock: Clock, speed: float, concurrency: int = 24):
        self._intake = intake
        self._clock = clock
        self._speed = speed
        self._limit = asyncio.Semaphore(concurrency)
        self.record = Record()

    async def run(
        self,
        stories: list[Story],
        until: datetime,
        progress: Callable[[datetime, Record], None] = lambda now, record: None,
    ) -> Record:
        """Play every step before `until`; returns the record."""
        by_number = {s.number: s for s in stories}
        steps = sorted(
            (s for story in stories for s in story.steps if s.sends_at < until),
            key=lambda s: s.sends_at,
        )
        chains: dict[int, asyncio.Task[None]] = {}
        for step in steps:
            await self._wait_until(step.sends_at, progress)
            previous = chains.get(step.dossier)
            chains[step.dossier] = asyncio.create_task(
                self._send(step, by_number[step.dossier], previous)
            )
        await self._wait_until(until, progress)
        await asyncio.gather(*chains.values())
        progress(self._clock.now(), self.record)
        return self.record

    async def step_through(
        self,
        stories: list[Story],
        until: datetime,
        advance: Callable[[datetime], None],
        before: Callable[[Step], Awaitable[None]] | None = None,
    ) -> Record:
        """Play every step before `until` one by one, moving a manual clock to each step's
        time instead of waiting for it (tests); `before` runs before each step is sent."""
        by_number = {s.number: s for s in stories}
        steps = sorted(
            (s for story in stories for s in story.steps if s.sends_at < until),
            key=lambda s: s.sends_at,
        )
        for step in steps:
            advance(step.sends_at)
            if before is not None:
                await before(step)
            await self._send(step, by_number[step.dossier], None)
        advance(until)
        return self.record

    async def _wait_until(self, at: datetime, progress: Callable[[datetime, Record], None]) -> None:
        while (now := self._clock.now()) < at:
            progress(now, self.record)
            await asyncio.sleep(min((at - now).total_seconds() / self._speed, 0.1))

    async def _send(self, step: Step, story: Story, previous: asyncio.Task[None] | None) -> None:
        if previous is not None:
            await previous
        async with self._limit:
            outcome = await self._deliver(step, story)
        self.record.sent.append((step, outcome))
        if outcome == "ok":
            self.record.accepted_kinds[step.body.get("type", step.kind)] += 1
        else:
            self.record.errors[outcome] += 1

    async def _deliver(self, step: Step, story: Story) -> str:
        agency = story.office.code
        code = self.record.codes.get(story.number)
        try:
            if step.kind == "register":
                self.record.codes[story.number] = await self._intake.register(agency, step.body)
            elif code is None:
                return "not_registered"
            elif step.kind == "apology":
                await self._intake.apologise(agency, code, step.body)
            else:
                await self._intake.record(agency, code, step.body)
        except IntakeError as error:
            if len(self.record.examples) < 5:
                self.record.examples.append(
                    f"{step.body.get('type', step.kind)}: {error.problem.get('detail')}"
                )
            return str(error.problem.get("code") or error.status)
        except (httpx.HTTPError, KeyError, ValueError) as error:
            return f"client_error:{type(error).__name__}"
        return "ok"
