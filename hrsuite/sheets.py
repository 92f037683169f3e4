"""Reading an uploaded Excel workbook for an import (employees, period inputs, market surveys,
question banks): the first sheet's header row (the first non-empty row among the first ten) and
its non-empty data rows with their sheet row numbers. Problems raise SheetProblem with a
translated message; each importer adds its own noun ("one employee per row")."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import ParseError

from django.core.files import File
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

HEADER_SEARCH_ROWS = 10
READ_ERRORS = (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, OSError, ParseError)


class SheetProblem(Exception):
    pass


@dataclass(frozen=True)
class Sheet:
    title: str
    header: tuple
    rows: list[tuple[int, tuple]]


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_file(fileobj, filename: str | None, default_name: str) -> File:
    """`fileobj` as a Django File with a name (uploads already are)."""
    if hasattr(fileobj, "chunks") and hasattr(fileobj, "size") and getattr(fileobj, "name", None):
        return fileobj
    return File(fileobj, name=str(filename or getattr(fileobj, "name", None) or default_name))


def read_first_sheet(fileobj, *, max_rows: int, empty_message: str, too_many_message: str) -> Sheet:
    """The first sheet's title, header cells and non-empty rows. `empty_message` is used when
    the sheet has no header; `too_many_message` (with %(max)s) beyond `max_rows` rows."""
    not_excel = _(
        "The file could not be read as an Excel workbook. Open it in Excel or WPS, save it as .xlsx and try again."
    )
    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=True)
    except READ_ERRORS as exc:
        raise SheetProblem(not_excel) from exc
    try:
        if not workbook.worksheets:
            raise SheetProblem(_("The workbook has no sheet."))
        sheet = workbook.worksheets[0]
        header_row, header_cells = 0, ()
        for number, cells in enumerate(
            sheet.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS, values_only=True), start=1
        ):
            if any(not is_blank(c) for c in cells):
                header_row, header_cells = number, tuple(cells)
                break
        if not header_row:
            raise SheetProblem(empty_message)
        last = max((i for i, c in enumerate(header_cells) if not is_blank(c)), default=0) + 1
        rows: list[tuple[int, tuple]] = []
        for number, cells in enumerate(
            sheet.iter_rows(min_row=header_row + 1, max_col=last, values_only=True), start=header_row + 1
        ):
            if all(is_blank(c) for c in cells):
                continue
            if len(rows) >= max_rows:
                raise SheetProblem(too_many_message % {"max": max_rows})
            rows.append((number, tuple(cells)))
        return Sheet(sheet.title, header_cells, rows)
    except READ_ERRORS as exc:
        raise SheetProblem(not_excel) from exc
    finally:
        workbook.close()
