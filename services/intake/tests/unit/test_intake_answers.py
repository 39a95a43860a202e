from uuid import uuid4

import orjson

from motcua.vocabulary import DossierStatus
from motcua_intake.entrypoints.answers import answer, receipt_answer
from motcua_intake.service.items import Answer, Receipt, Replayed


def test_a_receipt_is_answered_with_the_record_as_published() -> None:
    record = b'{"event_type":"dossier.received","data":{}}'
    receipt = Receipt(
        "STP-261120-0001", DossierStatus.RECEIVED, uuid4(), "dossier.received", record
    )

    first = receipt_answer(receipt)

    assert first.status_code == 201
    assert orjson.loads(first.body) == {
        "code": "STP-261120-0001",
        "status": 2,
        "status_label": DossierStatus.RECEIVED.label_vi,
        "event_id": str(receipt.event_id),
        "event_type": "dossier.received",
        "record": orjson.loads(record),
    }
    assert first.body.endswith(b'"record":' + record + b"}")
    assert answer(receipt) == first
    kept = Answer(201, b'{"as":"first given"}')
    assert answer(Replayed(kept)) is kept
