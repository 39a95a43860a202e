"""How results are answered: the status and JSON body of each.

A result is rendered here whether it answers the request now or is kept under the
request's idempotency key (the services are given these functions), so a retry, over
HTTP or Kafka, is answered byte for byte as the first request was.
"""

from __future__ import annotations

import orjson

from motcua_intake.service.access import IssuedKey
from motcua_intake.service.imports import ImportReport
from motcua_intake.service.items import Answer, Receipt, Replayed

__all__ = [
    "Result",
    "answer",
    "dossier_code_of",
    "import_answer",
    "issued_key_answer",
    "receipt_answer",
]

Result = Receipt | IssuedKey | ImportReport | Replayed


def receipt_answer(receipt: Receipt) -> Answer:
    """201: the dossier's code and status, and the event recorded (`Receipt` in OpenAPI)."""
    status = receipt.status
    body = orjson.dumps(
        {
            "code": receipt.dossier_code,
            "status": int(status),
            "status_label": status.label_vi,
            "event_id": str(receipt.event_id),
            "event_type": receipt.event_type,
            "record": orjson.Fragment(receipt.record),
        }
    )
    return Answer(201, body)


def dossier_code_of(result: Receipt | Replayed) -> str | None:
    """The dossier a receipt names, also when it is replayed (as `receipt_answer` wrote
    it); None for a replayed answer that is not a receipt."""
    if isinstance(result, Receipt):
        return result.dossier_code
    if result.answer.status_code != 201:
        return None
    first = orjson.loads(result.answer.body)
    code = first.get("code") if isinstance(first, dict) else None
    return code if isinstance(code, str) else None


def issued_key_answer(issued: IssuedKey) -> Answer:
    """201: the new key (None when it is not to be shown) and what it may do."""
    body = orjson.dumps(
        {
            "key": issued.key,
            "prefix": issued.prefix,
            "agency": issued.agency,
            "scopes": list(issued.scopes),
            "label": issued.label,
        }
    )
    return Answer(201, body)


def import_answer(report: ImportReport) -> Answer:
    """200: the import's summary."""
    return Answer(200, orjson.dumps(report.summary()))


def answer(result: Result) -> Answer:
    """The answer to a result; a replayed one as it was first given."""
    match result:
        case Receipt():
            return receipt_answer(result)
        case IssuedKey():
            return issued_key_answer(result)
        case ImportReport():
            return import_answer(result)
        case Replayed(answer=first):
            return first
