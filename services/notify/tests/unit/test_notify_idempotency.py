from motcua_notify.domain.idempotency import idempotency_key
from motcua_notify.domain.messages import Channel, MessageType

ARGS = ("H12-250303-0001", "evt-1", "+84912345678", Channel.SMS, MessageType.RECEIPT)


def test_key_is_a_stable_sha256_hex():
    key = idempotency_key(*ARGS)

    assert key == idempotency_key(*ARGS)
    assert len(key) == 64
    assert int(key, 16) >= 0
    # Pinned so that a change of scheme (which would resend everything) is deliberate.
    assert key == "509298412240c808771f6933d4635af2cf644c808a7bc7d3084832f520ebb245"


def test_every_field_changes_the_key():
    base = idempotency_key(*ARGS)
    variants = [
        ("H12-250303-0002", *ARGS[1:]),
        (ARGS[0], "evt-2", *ARGS[2:]),
        (*ARGS[:2], "+84912345679", *ARGS[3:]),
        (*ARGS[:3], Channel.ZALO, ARGS[4]),
        (*ARGS[:4], MessageType.APOLOGY),
    ]

    assert len({idempotency_key(*v) for v in variants} | {base}) == 6


def test_fields_cannot_run_into_each_other():
    left = idempotency_key("AB", "C", "+84912345678", Channel.SMS, MessageType.RECEIPT)
    right = idempotency_key("A", "BC", "+84912345678", Channel.SMS, MessageType.RECEIPT)

    assert left != right
