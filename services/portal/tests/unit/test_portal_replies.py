"""Reading the portal's replies: every way success, refusal and outage arrive."""

import json

import pytest

from motcua_portal.domain import Outcome, ReplyRules, error_code, read_reply


def body(code: object, message: str = "", **extra: object) -> str:
    return json.dumps({"error_code": code, "message": message, **extra}, ensure_ascii=False)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, 0), ("0", 0), ("00", 0), (" -3 ", -3), ("+3", 3), (-2, -2)],
)
def test_error_codes_are_read_as_integers_whatever_their_form(value, expected):
    assert error_code(value) == expected


@pytest.mark.parametrize("value", [None, True, False, "", "ok", "0x0", 0.0, [0], {"code": 0}])
def test_anything_else_is_no_error_code(value):
    assert error_code(value) is None


@pytest.mark.parametrize("code", [0, "0", "00"])
def test_success_as_the_integer_or_either_string(code):
    reply = read_reply(200, body(code, "thành công"))

    assert reply.ok and reply.outcome is Outcome.OK
    assert reply.code == str(code)


def test_the_raw_reply_and_its_body_are_kept():
    raw = body("00", "thành công", session="abc")

    reply = read_reply(200, raw)

    assert reply.raw == raw
    assert reply.body == {"error_code": "00", "message": "thành công", "session": "abc"}


def test_dossier_already_there_is_read_from_the_message():
    reply = read_reply(200, body(-3, "Hồ sơ ĐÃ TỒN TẠI trên hệ thống"))

    assert reply.outcome is Outcome.EXISTS
    assert reply.code == "-3"


def test_3_counts_as_success_only_when_configured():
    raw = body("3", "cập nhật")

    assert read_reply(200, raw).outcome is Outcome.REJECTED
    lenient = ReplyRules(success_codes=frozenset({0, 3, -3}))
    assert read_reply(200, raw, lenient).ok


def test_a_refusal_is_rejected_with_its_code_and_message():
    reply = read_reply(200, body(-2, "Dữ liệu không hợp lệ"))

    assert (reply.outcome, reply.code, reply.message) == (
        Outcome.REJECTED,
        "-2",
        "Dữ liệu không hợp lệ",
    )
    assert not reply.outcome.transient


def test_an_unknown_dossier_is_not_found():
    assert read_reply(200, body(-4, "Hồ sơ không tồn tại")).outcome is Outcome.NOT_FOUND


@pytest.mark.parametrize(
    "message", ["Session hết hạn hoặc không hợp lệ", "Phiên làm việc đã kết thúc", "Token hết hạn"]
)
def test_a_rejected_session_is_told_apart(message):
    assert read_reply(200, body(-1, message)).outcome is Outcome.SESSION_EXPIRED


def test_401_is_a_rejected_session_with_or_without_a_body():
    assert read_reply(401, "").outcome is Outcome.SESSION_EXPIRED
    assert read_reply(401, body(-1, "unauthorised")).outcome is Outcome.SESSION_EXPIRED


def test_success_that_mentions_a_session_is_still_success():
    assert read_reply(200, body(0, "thành công", session="abc")).ok


@pytest.mark.parametrize(
    "raw",
    ["<html>Gateway error</html>", "", "null", "[0]", '"00"', "{not json"],
)
def test_garbage_with_a_200_is_garbage_and_worth_retrying(raw):
    reply = read_reply(200, raw)

    assert reply.outcome is Outcome.GARBAGE and reply.outcome.transient
    assert reply.raw == raw


def test_a_body_without_an_error_code_is_garbage():
    reply = read_reply(200, json.dumps({"message": "ok"}))

    assert (reply.outcome, reply.code) == (Outcome.GARBAGE, "missing")


def test_an_unreadable_error_code_is_garbage():
    assert read_reply(200, body("thành công")).outcome is Outcome.GARBAGE


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408, 429])
def test_server_errors_and_throttling_are_an_outage(status):
    reply = read_reply(status, body(0))

    assert reply.outcome is Outcome.UNAVAILABLE and reply.outcome.transient
    assert reply.code == f"http_{status}"


def test_a_client_error_without_json_is_garbage_with_its_status():
    assert read_reply(404, "Not Found").code == "http_404"


def test_success_code_with_a_client_error_status_is_not_success():
    assert read_reply(400, body(0, "Bad request")).outcome is Outcome.REJECTED
