"""Every message type reaches the real SMTP server or the fake gateway, in Vietnamese."""

from datetime import UTC, datetime

import pytest
from notify_harness import ADMIN, gateway_messages, mails, plain_text, read_events
from notify_scenario import (
    SPECIALISTS,
    apology_issued,
    apology_required,
    applicant,
    deadline_set,
    dossier_code,
    due_soon,
    escalated,
    finished,
    overdue,
    received,
    refused,
    supplement_requested,
    transferred,
    withdrawn,
)

from motcua.clock import ManualClock
from motcua.testing import eventually
from motcua_notify.settings import DigestSettings

pytestmark = [pytest.mark.infra, pytest.mark.timeout(120)]

# 07:00 in Hà Nội: the first minute citizens may get an SMS.
SEVEN_AM = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)


async def test_each_message_type_reaches_its_channel_with_the_right_text(
    notify_settings, topics, start_notify, publish, smtp_server, gateway, client, kafka_settings
):
    settings = notify_settings.model_copy(
        update={"digest": DigestSettings(enabled=True, check_seconds=0.2)}
    )
    clock = ManualClock(SEVEN_AM)
    notify = await start_notify(settings, clock=clock)
    answer = await client.put(
        f"{notify.url}/v1/directory/units/{SPECIALISTS}",
        headers={"Authorization": f"Bearer {ADMIN}"},
        json={
            "agency_code": "STP",
            "name": "Phòng Hành chính tư pháp",
            "role": "specialist",
            "head_name": "Trưởng phòng Lê Minh Tuấn",
            "email": "hctp@stp.example.vn",
            "phone": "0987 654 321",
            "webhook_url": f"{gateway}/webhook/stp-hctp",
            "channels": ["email", "sms", "webhook"],
        },
    )
    assert answer.status_code == 200

    kept, refused_code, withdrawn_code = dossier_code(), dossier_code(), dossier_code()
    still_open = dossier_code()
    # The appointment (tracking) arrives before the reception (intake): the receipt waits.
    await publish(topics.tracking_events, deadline_set(kept))
    await publish(
        topics.applicants,
        applicant(kept),
        applicant(refused_code, email="tran.thi.binh@example.vn", consent=("email",)),
        applicant(withdrawn_code, email="le.van.cuong@example.vn", consent=("email",)),
        applicant(still_open, consent=()),
    )
    await publish(
        topics.dossier_events,
        received(kept),
        transferred(kept),
        supplement_requested(kept),
        received(refused_code),
        refused(refused_code),
        received(withdrawn_code),
        withdrawn(withdrawn_code),
        received(still_open),
        transferred(still_open),
    )

    # The applicant comes on a topic of its own, so its order against tracking's events is
    # not fixed: the receipt is awaited first, to pin the appointment it states.
    async def receipt_in():
        subjects = {m["Subject"] for m in mails(smtp_server)}
        return f"Giấy tiếp nhận hồ sơ và hẹn trả kết quả – mã hồ sơ {kept}" in subjects or None

    await eventually(receipt_in)
    await publish(
        topics.tracking_events,
        due_soon(kept),
        apology_required(kept),
        apology_issued(kept),
        overdue(kept),
        escalated(kept),
    )
    await publish(topics.dossier_events, finished(kept))
    await publish(topics.tracking_events, deadline_set(still_open))

    # Citizen of `kept`: 4 messages x 3 channels; refused and withdrawn: 1 email each;
    # `still_open` consented to nothing; officials: due soon, overdue (email, sms, webhook),
    # apology required (email, webhook), escalation (email to the head of STP's counter).
    async def emails_in():
        return len(smtp_server.recorder.messages) >= 4 + 2 + 3 + 1 or None

    await eventually(emails_in)

    async def gateway_in():
        found = await gateway_messages(client, gateway)
        return found if len(found) >= 4 * 2 + 2 + 3 else None

    sent = await eventually(gateway_in)

    by_subject = {m["Subject"]: m for m in mails(smtp_server)}
    receipt = by_subject[f"Giấy tiếp nhận hồ sơ và hẹn trả kết quả – mã hồ sơ {kept}"]
    assert receipt["To"] == "nguyen.van.an@example.vn"
    assert "Thời gian hẹn trả kết quả: 16:30 ngày 04/12/2026" in plain_text(receipt)
    assert "Kính gửi Ông/Bà Nguyễn Văn An," in plain_text(receipt)
    assert "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam" in plain_text(receipt)

    texts = {m["To"]: [] for m in mails(smtp_server)}
    for m in mails(smtp_server):
        texts[m["To"]].append(plain_text(m))
    citizen = "\n".join(texts["nguyen.van.an@example.vn"])
    assert "1. Bản sao Căn cước công dân" in citizen  # form 02
    assert "Mọi vướng mắc xin liên hệ Trần Thị Hồng" in citizen
    assert "Lý do chậm trễ: Cần xác minh thêm thông tin với Công an tỉnh" in citizen  # form 04
    assert "hẹn lại thời gian trả kết quả vào 09:00 ngày 11/12/2026" in citizen
    assert (
        f"Hồ sơ {kept} (Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam) đã có kết quả" in citizen
    )
    assert "1. Hồ sơ không thuộc thẩm quyền giải quyết của Sở Tư pháp" in "\n".join(
        texts["tran.thi.binh@example.vn"]
    )
    assert "THÔNG BÁO DỪNG XỬ LÝ HỒ SƠ" in "\n".join(texts["le.van.cuong@example.vn"])
    assert "Lý do: Công dân yêu cầu rút hồ sơ" in "\n".join(texts["le.van.cuong@example.vn"])

    official = "\n".join(texts["hctp@stp.example.vn"])
    assert "Kính gửi Trưởng phòng Lê Minh Tuấn," in official
    assert 'đang ở bước "Thẩm định hồ sơ" tại Phòng Hành chính tư pháp đã quá hạn' in official
    assert "Thời gian quá hạn: 4 ngày làm việc" not in official  # 4 calendar days, 2 working
    assert "Thời gian quá hạn: 2 ngày làm việc" in official
    assert "lập Phiếu xin lỗi và hẹn lại ngày trả kết quả (mẫu 04)" in official
    head = "\n".join(texts["stp-mc@phutho.example"])
    assert "bị chậm tại Phòng Hành chính tư pháp" in head
    assert "chưa lập Phiếu xin lỗi" in head

    # Messages recorded together are sent concurrently: no order among them is promised.
    sms = [m["body"]["text"] for m in sent if m["endpoint"] == "sms"]
    receipt_sms = f"Hồ sơ {kept} đã được tiếp nhận, hẹn trả kết quả 16:30 ngày 04/12/2026."
    assert any(receipt_sms in text for text in sms)
    assert {m["body"]["to"] for m in sent if m["endpoint"] == "sms"} == {
        "+84912345678",
        "+84987654321",
    }
    zalo = [m["body"] for m in sent if m["endpoint"] == "zalo"]
    [zalo_receipt] = [z for z in zalo if z["template_id"] == "motcua_receipt_v1"]
    assert zalo_receipt["phone"] == "84912345678"
    assert zalo_receipt["template_data"]["hen_tra_ket_qua"] == "16:30 ngày 04/12/2026"
    hooks = [m["body"] for m in sent if m["endpoint"] == "webhook/stp-hctp"]
    assert sorted(h["type"] for h in hooks) == ["apology_required", "due_soon", "overdue"]

    # The daily digest at 07:30 lists what the unit holds.
    clock.advance(minutes=31)

    async def digest_in():
        return [m for m in mails(smtp_server) if m["Subject"].startswith("Tổng hợp")] or None

    [digest] = await eventually(digest_in)
    assert digest["To"] == "hctp@stp.example.vn"
    assert digest["Subject"] == (
        "Tổng hợp hồ sơ ngày 20/11/2026 – Phòng Hành chính tư pháp: 1 đang xử lý, 0 quá hạn"
    )
    assert f"1. {still_open} – Cấp Phiếu lý lịch tư pháp" in plain_text(digest)
    assert len(mails(smtp_server)) == 11

    # The digest goes by webhook too; mail and webhook are delivered independently.
    async def digest_hook_in():
        found = await gateway_messages(client, gateway)
        return found if len(found) >= 13 + 1 else None

    assert len(await eventually(digest_hook_in)) == 13 + 1

    events = await read_events(kafka_settings, topics.notifications, 23)
    assert len(events) == 23
    assert {e.event_type for e in events} == {"notify.delivered"}
    assert all(e.data.recipient_kind in ("citizen", "official") for e in events)
    assert "@" not in b"".join(e.model_dump_json().encode() for e in events).decode()
