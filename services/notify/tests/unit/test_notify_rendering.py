import pytest

from motcua_notify.domain.content import EmailContent, SmsContent, WebhookContent, ZnsContent
from motcua_notify.domain.contexts import ReceiptContext
from motcua_notify.domain.messages import Channel, MessageType
from motcua_notify.domain.rendering import required_channels

EMAIL_PHRASES = {
    MessageType.RECEIPT: [
        "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
        "Thời gian hẹn trả kết quả: 16:30 ngày 10/03/2025",
        "Thời gian tiếp nhận: 10:15 ngày 03/03/2025",
        "Nơi trả kết quả: Bộ phận một cửa xã Đông Anh",
        "tra cứu tình trạng hồ sơ tại https://dichvucong.hanoi.gov.vn bằng mã hồ sơ",
    ],
    MessageType.SUPPLEMENT_REQUEST: [
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        "1. Bản sao Căn cước công dân",
        "2. Sơ đồ thửa đất có xác nhận của địa phương",
        "Lý do: Thiếu giấy tờ chứng minh nguồn gốc đất",
        "liên hệ Trần Thị Hồng Nhung, số điện thoại 0912 345 678",
    ],
    MessageType.REFUSAL: [
        "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        "1. Hồ sơ không thuộc thẩm quyền giải quyết của xã",
        "2. Đất đang có tranh chấp",
    ],
    MessageType.APOLOGY: [
        "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
        "Thời gian hẹn trả kết quả ban đầu: 16:30 ngày 10/03/2025",
        "Lý do chậm trễ: Cần xác minh thêm nguồn gốc đất với cơ quan thuế",
        "Chúng tôi thành thật xin lỗi vì sự chậm trễ này.",
        "hẹn lại thời gian trả kết quả vào 09:00 ngày 14/03/2025",
        "Trưởng phòng Lê Văn Hùng",
    ],
    MessageType.STOP_NOTICE: [
        "THÔNG BÁO DỪNG XỬ LÝ HỒ SƠ",
        "Thời gian dừng xử lý: 09:00 ngày 14/03/2025",
        "Lý do: Công dân yêu cầu rút hồ sơ",
    ],
    MessageType.RESULT_READY: [
        "đã có kết quả từ 10:15 ngày 03/03/2025",
        "sớm hơn thời gian hẹn trả kết quả (16:30 ngày 10/03/2025)",
        "Nơi trả kết quả: Bộ phận một cửa xã Đông Anh",
    ],
    MessageType.DUE_SOON: ["sắp đến hạn xử lý", "Hạn xử lý bước: 16:30 ngày 10/03/2025"],
    MessageType.OVERDUE: ["đã quá hạn xử lý", "Thời gian quá hạn: 2 ngày làm việc"],
    MessageType.APOLOGY_REQUIRED: [
        "Phiếu xin lỗi và hẹn lại ngày trả kết quả (mẫu 04)",
        "trước 10:15 ngày 03/03/2025",
        "chỉ được hẹn lại một lần",
    ],
    MessageType.ESCALATION: [
        "bị chậm tại Chi cục Thuế khu vực I",
        'bước "Xác định nghĩa vụ tài chính"',
        "Kính báo cáo để lãnh đạo chỉ đạo xử lý.",
    ],
    MessageType.ALERT_WITHDRAWN: [
        "Cảnh báo quá hạn ngày 09:00 ngày 14/03/2025 đối với hồ sơ H12.22-250303-0001",
        'bước "Thẩm định hồ sơ" tại Phòng Nông nghiệp và Môi trường, hạn 16:30 ngày 10/03/2025,'
        " đã được thu hồi: bước này đã được hoàn thành và chuyển tiếp trước thời hạn",
    ],
    MessageType.DAILY_DIGEST: [
        "Tổng hợp hồ sơ ngày 10/03/2025: 2 hồ sơ đang xử lý, trong đó 1 hồ sơ quá hạn.",
        "1. H12.22-250303-0001 – Đăng ký khai sinh – bước Thẩm định hồ sơ"
        " – hạn 16:30 ngày 10/03/2025 – QUÁ HẠN",
    ],
}


@pytest.mark.parametrize("message_type", list(MessageType))
def test_every_message_type_renders_its_vietnamese_email(registry, samples, message_type):
    content = registry.render(message_type, Channel.EMAIL, samples[message_type]).content

    assert isinstance(content, EmailContent)
    readable = f"{content.subject}\n{content.text}"
    for phrase in EMAIL_PHRASES[message_type]:
        assert phrase in readable
    assert "H12.22-250303-0001" in content.text
    assert content.html.startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("message_type", list(MessageType))
def test_every_required_channel_renders(registry, samples, message_type):
    for channel in required_channels(message_type):
        rendered = registry.render(message_type, channel, samples[message_type])
        assert rendered.version == 1


def test_apology_subject_names_the_form(registry, samples):
    content = registry.render(MessageType.APOLOGY, Channel.EMAIL, samples[MessageType.APOLOGY])

    assert content.content.subject == (
        "Phiếu xin lỗi và hẹn lại ngày trả kết quả – mã hồ sơ H12.22-250303-0001"
    )


def test_html_part_escapes_values_and_text_part_does_not(registry, samples):
    context = samples[MessageType.RECEIPT]
    hostile = ReceiptContext(**{**context.__dict__, "applicant_name": "<script>x</script> & Co"})

    content = registry.render(MessageType.RECEIPT, Channel.EMAIL, hostile).content

    assert "&lt;script&gt;x&lt;/script&gt; &amp; Co" in content.html
    assert "<script>" not in content.html
    assert "Kính gửi Ông/Bà <script>x</script> & Co," in content.text


def test_receipt_sms_has_code_appointment_and_lookup(registry, samples):
    content = registry.render(MessageType.RECEIPT, Channel.SMS, samples[MessageType.RECEIPT])

    assert isinstance(content.content, SmsContent)
    assert content.content.text == (
        "Hồ sơ H12.22-250303-0001 đã được tiếp nhận, hẹn trả kết quả 16:30 ngày 10/03/2025. "
        "Tra cứu: dichvucong.hanoi.gov.vn"
    )


def test_supplement_sms_counts_missing_items(registry, samples):
    context = samples[MessageType.SUPPLEMENT_REQUEST]

    text = registry.render(MessageType.SUPPLEMENT_REQUEST, Channel.SMS, context).content.text

    assert "cần bổ sung 2 giấy tờ" in text


def test_zalo_sends_template_id_and_named_params(registry, samples):
    context = samples[MessageType.APOLOGY]

    content = registry.render(MessageType.APOLOGY, Channel.ZALO, context).content

    assert isinstance(content, ZnsContent)
    assert content.template_id == "motcua_apology_v1"
    assert content.params["ma_ho_so"] == "H12.22-250303-0001"
    assert content.params["hen_tra_moi"] == "09:00 ngày 14/03/2025"
    assert content.params["hen_tra_ban_dau"] == "16:30 ngày 10/03/2025"


def test_zalo_truncates_long_names_to_the_zns_limit(registry, long_samples):
    context = long_samples[MessageType.RECEIPT]

    params = registry.render(MessageType.RECEIPT, Channel.ZALO, context).content.params

    assert len(params["ten_cong_dan"]) == 30
    assert params["ten_cong_dan"].endswith("…")


def test_digest_webhook_is_json_with_a_list(registry, samples):
    context = samples[MessageType.DAILY_DIGEST]

    content = registry.render(MessageType.DAILY_DIGEST, Channel.WEBHOOK, context).content

    assert isinstance(content, WebhookContent)
    assert content.payload["open_count"] == 2
    assert content.payload["overdue_count"] == 1
    assert content.payload["dossiers"][0]["due_at"] == "2025-03-10T16:30:00+07:00"
    assert content.payload["dossiers"][0]["overdue"] is True
    assert content.payload["digest_date"] == "2025-03-10"


def test_overdue_webhook_carries_vietnamese_title(registry, samples):
    context = samples[MessageType.OVERDUE]

    payload = registry.render(MessageType.OVERDUE, Channel.WEBHOOK, context).content.payload

    assert payload["type"] == "overdue"
    assert payload["title"] == "Hồ sơ H12.22-250303-0001 đã quá hạn xử lý từ 16:30 ngày 10/03/2025"
    assert payload["overdue_working_days"] == 2


def test_empty_digest_says_so(registry, samples):
    from dataclasses import replace

    context = replace(samples[MessageType.DAILY_DIGEST], dossiers=())

    text = registry.render(MessageType.DAILY_DIGEST, Channel.EMAIL, context).content.text

    assert "Không có hồ sơ nào đang xử lý." in text


def test_wrong_context_type_is_refused(registry, samples):
    with pytest.raises(TypeError, match="receipt needs ReceiptContext"):
        registry.render(MessageType.RECEIPT, Channel.EMAIL, samples[MessageType.REFUSAL])


def test_naive_datetime_is_refused(registry, samples):
    from dataclasses import replace
    from datetime import datetime

    naive = replace(samples[MessageType.RECEIPT], appointment_at=datetime(2025, 3, 10, 16, 30))

    with pytest.raises(ValueError, match="no time zone"):
        registry.render(MessageType.RECEIPT, Channel.EMAIL, naive)


def test_result_ready_on_the_appointment_day_is_not_called_early(registry, samples):
    from dataclasses import replace

    context = samples[MessageType.RESULT_READY]
    on_time = replace(context, ready_at=context.appointment_at)

    content = registry.render(MessageType.RESULT_READY, Channel.EMAIL, on_time).content

    assert "sớm hơn" not in content.text
    assert "sớm hơn" not in content.subject
