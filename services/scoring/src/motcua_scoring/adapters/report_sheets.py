"""The progress report as the files offices file: an XLSX workbook and a CSV table, in
the provinces' layout: a title naming the office and the period, the column groups, the
Vietnamese headers with the English ones beneath, one row per agency, unit, procedure
or field numbered from 1, and the office's total last."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from motcua_scoring.domain.reports import (
    REPORT_COLUMNS,
    ProgressReport,
    period_title,
    row_heading,
)

__all__ = ["TITLE", "report_csv", "report_xlsx"]

TITLE = "BÁO CÁO TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
TITLE_EN = "Progress report on administrative procedures"
HEADER_ROWS = 6
"""Rows above the first data row: title, office, period, groups, Vietnamese, English."""


def _lines(report: ProgressReport) -> Iterator[list[str | int]]:
    heading_vi, heading_en = row_heading(report.by)
    yield [f"{TITLE} / {TITLE_EN}"]
    yield [f"Đơn vị báo cáo / Office: {report.office_label}"]
    yield [
        f"Kỳ báo cáo / Period: {period_title(report.period)}"
        f" – số liệu đến hết ngày / as of {report.as_of:%d/%m/%Y}"
    ]
    yield ["", "", *(c.group.vi for c in REPORT_COLUMNS)]
    yield ["STT", heading_vi, *(c.vi for c in REPORT_COLUMNS)]
    yield ["No.", heading_en, *(c.en for c in REPORT_COLUMNS)]
    for number, row in enumerate(report.rows, start=1):
        yield [number, row.label, *(row.values[c.key] for c in REPORT_COLUMNS)]
    yield ["", "Tổng cộng / Total", *(report.total[c.key] for c in REPORT_COLUMNS)]


def report_csv(report: ProgressReport) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read the Vietnamese."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(_lines(report))
    return ("\ufeff" + out.getvalue()).encode()


def report_xlsx(report: ProgressReport) -> bytes:
    """One sheet, the groups' headings merged over their columns."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Báo cáo"
    for line in _lines(report):
        sheet.append(line)
    width = 2 + len(REPORT_COLUMNS)
    for row in (1, 2, 3):
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    sheet["A1"].font = Font(bold=True, size=13)
    _merge_groups(sheet)
    for row in sheet.iter_rows(min_row=4, max_row=HEADER_ROWS):
        for cell in row:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 6
    sheet.column_dimensions["B"].width = 40
    for index in range(3, width + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 13
    sheet.freeze_panes = sheet.cell(row=HEADER_ROWS + 1, column=3)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _merge_groups(sheet: Worksheet) -> None:
    start = 0
    for index, column in enumerate(REPORT_COLUMNS):
        last = index + 1 == len(REPORT_COLUMNS)
        if last or REPORT_COLUMNS[index + 1].group != column.group:
            sheet.merge_cells(start_row=4, start_column=3 + start, end_row=4, end_column=3 + index)
            start = index + 1
