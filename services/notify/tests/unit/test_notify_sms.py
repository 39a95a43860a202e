import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua_notify.domain.messages import Channel, MessageType
from motcua_notify.domain.rendering import SmsPolicy, SmsTooLongError, TemplateRegistry
from motcua_notify.domain.sms import SmsEncoding, measure, segments, unaccented
from motcua_notify.templates import load_specs

GSM, UCS = SmsEncoding.GSM7, SmsEncoding.UCS2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", (GSM, 1)),
        ("a" * 160, (GSM, 1)),
        ("a" * 161, (GSM, 2)),
        ("a" * 306, (GSM, 2)),
        ("a" * 307, (GSM, 3)),
        ("ư" * 70, (UCS, 1)),
        ("ư" * 71, (UCS, 2)),
        ("ư" * 134, (UCS, 2)),
        ("ư" * 135, (UCS, 3)),
        ("a" * 69 + "đ", (UCS, 1)),
        ("a" * 70 + "đ", (UCS, 2)),
    ],
)
def test_segment_boundaries(text, expected):
    assert segments(text) == expected


def test_extension_characters_count_twice():
    assert measure("{" * 80).units == 160
    assert segments("{" * 80) == (GSM, 1)
    assert segments("a" + "{" * 80) == (GSM, 2)
    assert segments("€" * 80) == (GSM, 1)


def test_escape_pair_is_not_split_across_parts():
    # 152 plain septets then "[": the pair cannot take septets 153-154, so it moves on.
    text = "a" * 152 + "[" + "a" * 152
    assert measure(text).units == 306
    assert segments(text) == (GSM, 3)


def test_emoji_takes_two_ucs2_units():
    assert measure("🙂" * 35).units == 70
    assert segments("🙂" * 35) == (UCS, 1)


def _counted_one_by_one(text: str) -> tuple[SmsEncoding, int, int]:
    """The definition: each character's units, parts filled in order, a pair never split."""
    gsm = all(segments(c)[0] is GSM for c in text)
    costs = [
        (2 if c in "\f^{}\\[~]|€" else 1) if gsm else (2 if ord(c) > 0xFFFF else 1) for c in text
    ]
    single, part = (160, 153) if gsm else (70, 67)
    if sum(costs) <= single:
        return (GSM if gsm else UCS), sum(costs), 1
    parts, used = 1, 0
    for cost in costs:
        if used + cost > part:
            parts, used = parts + 1, 0
        used += cost
    return (GSM if gsm else UCS), sum(costs), parts


@given(
    st.text(
        alphabet=st.sampled_from([*"aZ09 @€[]^|~đươ\n\f", "😀", "ệ"]),
        max_size=400,
    )
)
def test_measure_agrees_with_counting_character_by_character(text):
    size = measure(text)
    assert (size.encoding, size.units, size.segments) == _counted_one_by_one(text)


def test_one_vietnamese_letter_turns_the_whole_text_to_ucs2():
    assert segments("Ho so da duoc tiep nhan") == (GSM, 1)
    assert segments("Hồ sơ đã được tiếp nhận") == (UCS, 1)


def test_unaccented_strips_every_vietnamese_mark():
    text = "Đề nghị Ông/Bà bổ sung hồ sơ trước 17:00 ngày 05/03/2025; Đường Lê Duẩn, Hà Nội"

    assert unaccented(text) == (
        "De nghi Ong/Ba bo sung ho so truoc 17:00 ngay 05/03/2025; Duong Le Duan, Ha Noi"
    )


def test_unaccented_handles_decomposed_input():
    assert unaccented("đ\u0301 Đ Tiếng Việt") == "d D Tieng Viet"


VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặấầẩẫậđèéẻẽẹềểễếệ ĐƯỜ.,:/-0123456789"


@given(st.text(alphabet=VIETNAMESE))
def test_unaccented_text_always_fits_gsm7_and_never_grows_segments(text):
    plain = unaccented(text)

    assert segments(plain)[0] is GSM
    assert segments(plain)[1] <= segments(text)[1]


def test_every_sms_template_fits_two_ucs2_segments_with_long_values(long_samples):
    registry = TemplateRegistry(load_specs(_shipped()), SmsPolicy(max_segments=2))

    for message_type in MessageType:
        if Channel.SMS not in registry.channels_for(message_type):
            continue
        text = registry.render(message_type, Channel.SMS, long_samples[message_type]).content.text
        assert segments(text) in {(UCS, 1), (UCS, 2)}, (message_type, len(text), text)
        assert segments(unaccented(text)) == (GSM, 1), (message_type, text)


def test_unaccented_policy_sends_gsm7(long_samples):
    registry = TemplateRegistry(load_specs(_shipped()), SmsPolicy(max_segments=1, unaccented=True))

    content = registry.render(
        MessageType.APOLOGY, Channel.SMS, long_samples[MessageType.APOLOGY]
    ).content

    assert content.encoding is GSM
    assert content.text.startswith("Thanh that xin loi Ong/Ba: ho so 000.00.12.H12-250301-12345")


def test_sms_over_the_segment_limit_is_refused(long_samples):
    registry = TemplateRegistry(load_specs(_shipped()), SmsPolicy(max_segments=1))

    with pytest.raises(SmsTooLongError, match=r"receipt/sms.v1 rendered to 2 ucs2 segments"):
        registry.render(MessageType.RECEIPT, Channel.SMS, long_samples[MessageType.RECEIPT])


def _shipped():
    from importlib.resources import files

    return files("motcua_notify.templates")
