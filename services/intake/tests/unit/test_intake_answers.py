from uuid import uuid4

import orjson

from motcua.vocabulary import DossierStatus
from motcua_intake.entrypoints.answers import answer, dossier_code_of, receipt_answer
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


def test_a_replayed_receipt_names_its_dossier_as_the_first_answer_did() -> None:
    receipt = Receipt("STP-261120-0001", DossierStatus.RECEIVED, uuid4(), "dossier.received", b"{}")

    assert dossier_code_of(receipt) == "STP-261120-0001"
    assert dossier_code_of(Replayed(receipt_answer(receipt))) == "STP-261120-0001"
    assert dossier_code_of(Replayed(Answer(200, b'{"code":"not_a_receipt"}'))) is None
