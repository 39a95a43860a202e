from datetime import UTC, date, datetime

import pytest

from motcua_notify.domain import contexts as c
from motcua_notify.domain.messages import MessageType
from motcua_notify.domain.rendering import TemplateRegistry
from motcua_notify.templates import load_registry

# 03:15 UTC is 10:15 in Hà Nội.
RECEIVED = datetime(2025, 3, 3, 3, 15, tzinfo=UTC)
DUE = datetime(2025, 3, 10, 9, 30, tzinfo=UTC)
LATER = datetime(2025, 3, 14, 2, 0, tzinfo=UTC)

LONG_CODE = "000.00.12.H12-250301-12345"
LONG_PROCEDURE = (
    "Cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền "
    "với đất lần đầu cho hộ gia đình, cá nhân, cộng đồng dân cư"
)
LONG_NAME = "Nguyễn Thị Phương Thảo Nguyên Khánh"
LONG_PLACE = "Bộ phận Tiếp nhận và Trả kết quả, Trung tâm Phục vụ hành chính công xã Đông Anh"


def contexts(code: str, procedure: str, name: str, place: str) -> dict[MessageType, object]:
    digest = (
        c.DigestEntry(code, procedure, "Thẩm định hồ sơ", DUE, True),
        c.DigestEntry("000.00.12.H12-250303-0002", "Đăng ký khai sinh", "Ký duyệt", LATER, False),
    )
    return {
        MessageType.RECEIPT: c.ReceiptContext(
            name,
            code,
            procedure,
            "UBND xã Đông Anh",
            RECEIVED,
            DUE,
            place,
            "https://dichvucong.hanoi.gov.vn",
        ),
        MessageType.SUPPLEMENT_REQUEST: c.SupplementRequestContext(
            name,
            code,
            procedure,
            "UBND xã Đông Anh",
            ("Bản sao Căn cước công dân", "Sơ đồ thửa đất có xác nhận của địa phương"),
            "Thiếu giấy tờ chứng minh nguồn gốc đất",
            "Trần Thị Hồng Nhung",
            "0912 345 678",
            RECEIVED,
        ),
        MessageType.REFUSAL: c.RefusalContext(
            name,
            code,
            procedure,
            "UBND xã Đông Anh",
            ("Hồ sơ không thuộc thẩm quyền giải quyết của xã", "Đất đang có tranh chấp"),
            RECEIVED,
        ),
        MessageType.APOLOGY: c.ApologyContext(
            name,
            code,
            procedure,
            "Phòng Nông nghiệp và Môi trường",
            RECEIVED,
            DUE,
            "Cần xác minh thêm nguồn gốc đất với cơ quan thuế",
            "Chúng tôi thành thật xin lỗi vì sự chậm trễ này.",
            LATER,
            "Trưởng phòng Lê Văn Hùng",
        ),
        MessageType.STOP_NOTICE: c.StopNoticeContext(
            name,
            code,
            procedure,
            "UBND xã Đông Anh",
            LATER,
            "Công dân yêu cầu rút hồ sơ",
        ),
        MessageType.RESULT_READY: c.ResultReadyContext(
            name,
            code,
            procedure,
            RECEIVED,
            DUE,
            place,
            "https://dichvucong.hanoi.gov.vn",
        ),
        MessageType.DUE_SOON: c.DueSoonContext(
            "Đồng chí Phạm Minh Tuấn",
            "Phòng Nông nghiệp và Môi trường",
            code,
            procedure,
            "Thẩm định hồ sơ tại thực địa",
            DUE,
            "https://motcua.local/ho-so/1",
        ),
        MessageType.OVERDUE: c.OverdueContext(
            "Đồng chí Phạm Minh Tuấn",
            "Phòng Nông nghiệp và Môi trường",
            code,
            procedure,
            "Thẩm định hồ sơ tại thực địa",
            DUE,
            2,
            "https://motcua.local/ho-so/1",
        ),
        MessageType.APOLOGY_REQUIRED: c.ApologyRequiredContext(
            "Phòng Nông nghiệp và Môi trường",
            code,
            procedure,
            name,
            DUE,
            RECEIVED,
            "https://motcua.local/ho-so/1",
        ),
        MessageType.ESCALATION: c.EscalationContext(
            "Đồng chí Vũ Thị Mai",
            "Trung tâm Phục vụ hành chính công xã Đông Anh",
            code,
            procedure,
            "Chi cục Thuế khu vực I",
            "Xác định nghĩa vụ tài chính",
            DUE,
            "Cơ quan phối hợp chưa trả lời quá hạn 2 ngày làm việc",
            "https://motcua.local/ho-so/1",
        ),
        MessageType.ALERT_WITHDRAWN: c.AlertWithdrawnContext(
            "Trưởng phòng Lê Minh Tuấn",
            "Phòng Nông nghiệp và Môi trường",
            code,
            procedure,
            "Thẩm định hồ sơ",
            "Cảnh báo quá hạn",
            "overdue",
            LATER,
            DUE,
            "bước này đã được hoàn thành và chuyển tiếp trước thời hạn; "
            "thông tin này đến hệ thống sau khi cảnh báo được gửi",
            "https://motcua.local/ho-so/1",
        ),
        MessageType.DAILY_DIGEST: c.DailyDigestContext(
            "Phòng Nông nghiệp và Môi trường",
            date(2025, 3, 10),
            digest,
            "https://motcua.local/bao-cao",
        ),
    }


@pytest.fixture(scope="session")
def registry() -> TemplateRegistry:
    return load_registry()


@pytest.fixture(scope="session")
def samples() -> dict[MessageType, object]:
    return contexts(
        "H12.22-250303-0001", "Đăng ký khai sinh", "Nguyễn Văn An", "Bộ phận một cửa xã Đông Anh"
    )


@pytest.fixture(scope="session")
def long_samples() -> dict[MessageType, object]:
    return contexts(LONG_CODE, LONG_PROCEDURE, LONG_NAME, LONG_PLACE)
