"""Backoff with jitter, and national procedures suggested by name."""

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua_portal.domain import next_attempt_at, normalise, suggest

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def delay(attempts: int, jitter: float, initial: float = 2.0, maximum: float = 600.0) -> float:
    return (next_attempt_at(NOW, attempts, initial, maximum, jitter) - NOW).total_seconds()


@pytest.mark.parametrize(("attempts", "full"), [(1, 2), (2, 4), (3, 8), (5, 32), (12, 600)])
def test_backoff_doubles_up_to_the_maximum_spread_over_its_upper_half(attempts, full):
    assert delay(attempts, 0.0) == full
    assert delay(attempts, 1.0) == full / 2


def test_no_failure_yet_waits_the_initial_pause():
    assert delay(0, 0.0) == delay(1, 0.0) == 2


@given(
    attempts=st.integers(min_value=1, max_value=200),
    jitter=st.floats(min_value=0, max_value=1),
    initial=st.floats(min_value=0.01, max_value=60),
    maximum=st.floats(min_value=60, max_value=3600),
)
def test_jitter_keeps_the_pause_between_half_and_all_of_the_capped_backoff(
    attempts, jitter, initial, maximum
):
    base = min(initial * 2 ** (attempts - 1), maximum)

    waited = delay(attempts, jitter, initial, maximum)

    assert base / 2 - 1e-6 <= waited <= base + 1e-6
    assert waited <= maximum + 1e-6


@given(attempts=st.integers(min_value=1, max_value=60), jitter=st.floats(min_value=0, max_value=1))
def test_more_failures_never_mean_a_shorter_pause_for_the_same_draw(attempts, jitter):
    assert delay(attempts + 1, jitter) >= delay(attempts, jitter)


CATALOGUE = [
    ("1.009994", "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ"),
    ("1.001612", "Đăng ký thành lập hộ kinh doanh"),
    ("2.000488", "Chứng thực bản sao từ bản chính giấy tờ, văn bản"),
    ("1.001613", "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh"),
]


def test_names_meet_whatever_their_case_diacritics_and_spacing():
    assert normalise("  Đăng KÝ   thành lập Hộ kinh doanh ") == "dang ky thanh lap ho kinh doanh"
    assert normalise("Chứng thực") == normalise("chung thuc")


def test_the_closest_name_comes_first():
    found = suggest("Đăng ký thành lập hộ kinh doanh", CATALOGUE)

    assert [s.code for s in found][:2] == ["1.001612", "1.001613"]
    assert found[0].score == 1.0
    assert found[0].score > found[1].score


def test_a_name_typed_without_diacritics_still_finds_its_procedure():
    (best, *_) = suggest("cap giay phep xay dung nha o rieng le", CATALOGUE)

    assert best.code == "1.009994"
    assert best.score >= 0.8


def test_unrelated_names_are_not_suggested_and_the_list_is_bounded():
    assert suggest("Cấp thẻ căn cước", CATALOGUE, cutoff=0.7) == []
    assert len(suggest("Đăng ký hộ kinh doanh", CATALOGUE, limit=1, cutoff=0.0)) == 1


def test_equal_scores_are_ordered_by_code():
    found = suggest("Thủ tục", [("2", "Thủ tục"), ("1", "Thủ tục")])

    assert [s.code for s in found] == ["1", "2"]
