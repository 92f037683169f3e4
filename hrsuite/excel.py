"""Excel export shared by every module: streaming (write-only) workbooks, and escaping of
cells that a spreadsheet would otherwise run as a formula (= + - @, and tab/CR prefixes)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def escape_cell(value):
    """Text that starts like a formula gets a leading single quote, so Excel and WPS show it
    as text instead of evaluating it. Numbers and dates pass through unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def write_workbook(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]], fileobj) -> int:
    """Write sheets (title, headers, rows) in write-only mode. Returns the number of data rows."""
    wb = Workbook(write_only=True)
    total = 0
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1F4E79")
    for title, headers, rows in sheets:
        ws = wb.create_sheet(title=str(title)[:31])
        ws.freeze_panes = "A2"
        header_cells = []
        for h in headers:
            c = WriteOnlyCell(ws, value=escape_cell(str(h)))  # headers can hold user-entered names
            c.font = header_font
            c.fill = header_fill
            header_cells.append(c)
        ws.append(header_cells)
        for row in rows:
            ws.append([_cell_value(v) for v in row])
            total += 1
    wb.save(fileobj)
    return total


def _cell_value(v):
    if isinstance(v, Decimal | int | float | date) or v is None:
        return escape_cell(v)
    return escape_cell(str(v))


def workbook_response(sheets, filename: str) -> tuple[FileResponse, int]:
    """An attachment response for the given sheets, spooled to a temporary file so a large
    export does not sit in memory. Returns the response and the number of data rows."""
    tmp = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (closed by FileResponse)
    rows = write_workbook(sheets, tmp)
    tmp.seek(0)
    response = FileResponse(tmp, content_type=XLSX_CONTENT_TYPE, as_attachment=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"{filename}-{stamp}.xlsx"
    response["Content-Disposition"] = f"attachment; filename=\"export-{stamp}.xlsx\"; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "no-store"
    return response, rows
