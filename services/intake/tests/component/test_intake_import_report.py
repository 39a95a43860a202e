"""The streamed import report: each line's dossier code and outcome, progress, summary."""

from __future__ import annotations

import orjson
import pytest

pytestmark = pytest.mark.infra

NDJSON = "application/x-ndjson"


def line(kind: str, **fields) -> bytes:
    return orjson.dumps({"kind": kind, **fields})


async def post_report(intake, lines: list[bytes], key: str | None = None):
    headers = {**intake.headers(), "Content-Type": NDJSON, "Accept": NDJSON}
    if key:
        headers["Idempotency-Key"] = key
    body = b"".join(item + b"\n" for item in lines)
    response = await intake.client.post("/v1/imports", content=body, headers=headers)
    return response, [orjson.loads(row) for row in response.content.splitlines()]


async def test_each_line_reports_the_code_it_was_given(start_intake, registration) -> None:
    async with start_intake(imports={"chunk_lines": 3, "progress_every": 4}) as intake:
        lines = [
            line("registration", dossier=registration()),
            line("registration", dossier=registration(dossier_code="STP-LEGACY-7")),
            b"{not json",
            line("registration", dossier=registration()),
            line(
                "event",
                dossier_code="STP-NOPE-1",
                event={
                    "type": "withdrawn",
                    "reason": "r",
                    "occurred_at": registration()["received_at"],
                },
            ),
            line("registration", dossier=registration()),
        ]
        response, rows = await post_report(intake, lines)
        stored = await intake.scalar("SELECT string_agg(code, ',') FROM dossiers")

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(NDJSON)
    per_line = [row for row in rows if "line" in row]
    assert [(row["line"], row["status"]) for row in per_line] == [
        (1, "accepted"),
        (2, "accepted"),
        (3, "rejected"),
        (4, "accepted"),
        (5, "rejected"),
        (6, "accepted"),
    ]
    issued = [row["dossier_code"] for row in per_line if row["status"] == "accepted"]
    assert issued[1] == "STP-LEGACY-7"
    assert all(code.startswith("STP-261120-") for code in issued[:1] + issued[2:])
    assert len(set(issued)) == 4
    assert set(stored.split(",")) == set(issued)
    assert per_line[2]["reason"]["code"] == "malformed_json"
    assert per_line[2]["dossier_code"] is None
    assert (per_line[4]["dossier_code"], per_line[4]["reason"]["code"]) == (
        "STP-NOPE-1",
        "dossier_not_found",
    )
    progress = [row["progress"] for row in rows if "progress" in row]
    assert progress and progress[0]["lines"] >= 4
    assert rows[-1] == {
        "summary": {
            "lines": 6,
            "accepted": 4,
            "rejected": 2,
            "rejections": [
                {"line": 3, **{k: per_line[2]["reason"][k] for k in ("code", "detail", "errors")}},
                {"line": 5, **{k: per_line[4]["reason"][k] for k in ("code", "detail", "errors")}},
            ],
            "rejections_not_listed": 0,
        }
    }


async def test_an_integrator_sends_later_events_with_the_issued_codes(intake, registration) -> None:
    received_2019 = "2019-01-29T09:00:00+07:00"
    _, first = await post_report(
        intake, [line("registration", dossier=registration(received_at=received_2019))]
    )
    code = first[0]["dossier_code"]
    assert code.startswith("STP-190129-")
    apology = {
        "unit_code": "STP.HCTP",
        "reason": "Chờ xác minh",
        "filed_at": "2019-02-12T10:00:00+07:00",
        "new_appointment_at": "2019-02-20T17:00:00+07:00",
    }
    _, second = await post_report(intake, [line("apology", dossier_code=code, apology=apology)])
    assert second[0] == {"line": 1, "status": "accepted", "dossier_code": code}
    assert second[-1]["summary"]["accepted"] == 1


async def test_an_empty_streamed_import_is_a_problem(intake) -> None:
    response, _ = await post_report(intake, [b"", b"  "])
    assert response.status_code == 422
    assert response.json()["code"] == "empty_import"


async def test_a_retried_streamed_import_answers_its_summary(intake, registration) -> None:
    lines = [line("registration", dossier=registration()) for _ in range(2)]
    _, first = await post_report(intake, lines, key="streamed-1")
    again, rows = await post_report(intake, lines, key="streamed-1")
    assert again.headers["idempotent-replayed"] == "true"
    assert rows == [first[-1]]
    assert await intake.scalar("SELECT count(*) FROM dossiers") == 2


async def test_the_report_streams_while_the_body_still_arrives(start_intake, registration) -> None:
    async with start_intake(imports={"chunk_lines": 2, "progress_every": 10}) as intake:
        lines = [line("registration", dossier=registration()) + b"\n" for _ in range(40)]

        async def body():
            for item in lines:  # one piece per line: the report starts long before the end
                yield item

        headers = {**intake.headers(), "Content-Type": NDJSON, "Accept": NDJSON}
        response = await intake.client.post("/v1/imports", content=body(), headers=headers)
        stored = await intake.scalar("SELECT count(*) FROM dossiers")
    rows = [orjson.loads(row) for row in response.content.splitlines()]
    assert [row["line"] for row in rows if "line" in row] == list(range(1, 41))
    assert [row["progress"]["lines"] for row in rows if "progress" in row] == [10, 20, 30, 40]
    assert rows[-1]["summary"]["accepted"] == stored == 40
