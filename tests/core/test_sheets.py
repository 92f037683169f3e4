"""hrsuite.sheets: what every import reads cells and headers with, and the unpacking budget that
grows with the columns an import reads (the bombs themselves: tests/security/test_uploads_hostile.py)."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from hrsuite.sheets import MIN_COLUMNS, SheetProblem, cell_text, check_unpacked, header_key, read_first_sheet


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1001.0, "1001"),
        (1001, "1001"),
        (12.5, "12.5"),
        (" 张三 ", "张三"),
        (True, "TRUE"),
        (False, "FALSE"),
        (date(2025, 5, 1), "2025-05-01"),
        (datetime(2025, 5, 1, 0, 0), "2025-05-01"),
    ],
)
def test_cell_text(value, text):
    assert cell_text(value) == text


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Employee no.", "employeeno."),
        ("Ｅｍｐｌｏｙｅｅ　ｎｏ．", "employeeno."),  # full-width letters, space and stop (a Chinese input method)
        ("加班（小时）", "加班(小时)"),
        ("工号*", "工号"),
        (" 姓 名 ", "姓名"),
        ("ＡＢＣ１２３", "abc123"),
    ],
)
def test_header_key_folds_what_a_person_may_type_differently(written, expected):
    assert header_key(written) == expected


def _wide_workbook(rows: int, inputs: int) -> bytes:
    """A period-input file as payroll fills it in: employee number and name, then one number per
    input definition on every row."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("2025-05")
    ws.append(["工号", "姓名", *[f"项目{i}" for i in range(inputs)]])
    for r in range(rows):
        ws.append([f"E{r:05d}", f"员工{r}", *[(r * 7 + c) % 97 + 0.5 for c in range(inputs)]])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_a_wide_legitimate_sheet_of_the_most_rows_passes_the_unpacking_check():
    """20,000 rows of 42 columns: more XML than a 25-column budget allows (the fixed budget before
    refused such a file), within the budget of the 42 columns the import reads."""
    content = _wide_workbook(20_000, 40)
    with pytest.raises(SheetProblem) as refused:  # the sheet really is wider than the default budget
        check_unpacked(io.BytesIO(content), max_rows=20_000, columns=MIN_COLUMNS)
    assert refused.value.code == "too_big"
    check_unpacked(io.BytesIO(content), max_rows=20_000, columns=42)


def test_read_first_sheet_reads_a_wide_sheet_within_its_columns():
    content = _wide_workbook(50, 40)
    sheet = read_first_sheet(
        io.BytesIO(content), max_rows=100, columns=42, empty_message="empty", too_many_message="%(max)s"
    )
    assert len(sheet.header) == 42 and len(sheet.rows) == 50
    assert sheet.rows[0] == (2, ("E00000", "员工0", *[c % 97 + 0.5 for c in range(40)]))
