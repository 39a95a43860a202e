"""`motcua-dlq` lists, shows and redrives the dossiers the sync gave up on, through the
portal's own redrive, against a running portal on the real broker and database."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from portal_life import Life

from motcua.events import dead_letter_topic
from motcua.messaging.held import held_letters
from motcua.testing import create_topics, eventually
from motcua_portal.entrypoints.dlq import open_dead_letters

pytestmark = pytest.mark.infra


def test_the_portal_offers_its_dead_letters_to_the_common_tool():
    assert held_letters("portal") is open_dead_letters
    assert held_letters("tracking") is None


OFFICIAL = {"Authorization": "Bearer official-test-token"}


async def dlq(*args: str, database_url: str, bootstrap: str) -> tuple[int, str, str]:
    """Run the command line as an operator would, on this test's database."""
    executable = shutil.which("motcua-dlq", path=str(Path(sys.executable).parent))
    assert executable, "motcua-dlq is not installed"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    environment |= {"PORTAL_DATABASE__URL": database_url, "KAFKA_BOOTSTRAP_SERVERS": bootstrap}
    process = await asyncio.create_subprocess_exec(
        executable,
        *args,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_the_common_tool_lists_shows_and_redrives_the_portals_dead_dossiers(harness, fake):
    settings = await harness.settings(fake)
    url, bootstrap = settings.database.url, harness.kafka.bootstrap_servers
    # `list` reads the portal's DLQ topic too (without committing anything).
    await create_topics(harness.kafka, [dead_letter_topic("portal")])
    poisoned, healthy = Life(), Life()
    async with harness.running(settings) as app, harness.client(app) as http:
        await fake.mode("reject", times=1000, code=poisoned.code)
        await harness.publish(
            poisoned.recorded(), *poisoned.short(), healthy.recorded(), *healthy.short()
        )
        await eventually(
            lambda: http.get("/v1/sync/dead-letters", headers=OFFICIAL), until=lambda r: r.json()
        )

        code, out, err = await dlq("list", "portal", database_url=url, bootstrap=bootstrap)
        assert code == 0, err
        [line] = [x for x in out.splitlines() if x.startswith(poisoned.code)]
        assert "portal_rejected" in line and "attempts=3" in line
        assert healthy.code not in out
        assert "1 dossier(s) the portal sync gave up on" in err

        code, out, err = await dlq(
            "show", "portal", poisoned.code, database_url=url, bootstrap=bootstrap
        )
        assert code == 0, err
        shown = json.loads(out)
        assert shown["key"] == poisoned.code and shown["attempts"] == 3
        assert "từ chối" in shown["error"]

        await fake.clear()
        code, out, err = await dlq(
            "redrive", "portal", poisoned.code, database_url=url, bootstrap=bootstrap
        )
        assert code == 0, err
        assert out.strip() == f"redrove {poisoned.code}"
        got = await eventually(
            lambda: fake.received(poisoned.code), until=lambda r: len(r["progress"]) == 3
        )
        assert [entry["TrangThai"] for entry in got["progress"]] == ["2", "4", "4"]
        assert (await http.get("/v1/sync/dead-letters", headers=OFFICIAL)).json() == []

        code, _, err = await dlq(
            "redrive", "portal", poisoned.code, database_url=url, bootstrap=bootstrap
        )
        assert code == 1
        assert err.strip() == f"motcua-dlq: {poisoned.code} is not a dead letter of portal"


async def test_redrive_of_every_dead_dossier_goes_through_the_portals_own_redrive(harness, fake):
    settings = await harness.settings(fake)
    lives = [Life(), Life()]
    async with harness.running(settings) as app, harness.client(app) as http:
        for life in lives:
            await fake.mode("reject", times=1000, code=life.code)
        await harness.publish(*(e for life in lives for e in (life.recorded(), *life.short())))
        await eventually(
            lambda: http.get("/v1/sync/dead-letters", headers=OFFICIAL),
            until=lambda r: len(r.json()) == 2,
        )
        await fake.clear()
        # What `motcua-dlq redrive portal` does after the DLQ topic's messages (which
        # this test leaves alone: other runs share the portal's topic).
        async with open_dead_letters(settings) as letters:
            assert {x.key for x in await letters.list()} == {x.code for x in lives}
            assert await letters.redrive(None) == 2
            assert await letters.list() == []
        for code in [life.code for life in lives]:
            await eventually(
                lambda code=code: fake.received(code), until=lambda r: len(r["progress"]) == 3
            )
        code, _, err = await dlq(
            "show",
            "portal",
            "nobody",
            database_url=settings.database.url,
            bootstrap=harness.kafka.bootstrap_servers,
        )
        assert code == 1 and "nobody is not a dead letter of portal" in err
