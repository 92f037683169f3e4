"""Reading an uploaded Excel workbook for an import (employees, period inputs, market surveys,
question banks): the first sheet's header row (the first non-empty row among the first ten) and
its non-empty data rows with their sheet row numbers. Problems raise SheetProblem with a
translated message; each importer adds its own noun ("one employee per row")."""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import ParseError

from django.core.files import File
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

HEADER_SEARCH_ROWS = 10
# Bounds on what a workbook may unpack to, checked before openpyxl parses it (issue 11): a few
# hundred kilobytes of compressed XML can otherwise unpack to millions of empty rows, a row of a
# million cells or millions of shared strings, each costing the parser time and memory (minutes
# and gigabytes per upload). Every XML tag starts with "<", so counting that byte bounds the work.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # all parts together; a full 20,000-row import is ~45 MB
TAGS_PER_ROW = 160  # about 25 filled cells with their shared strings; imports use 5 to 40 columns
TAGS_OVERHEAD = 100_000  # styles, theme, relationships
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
    _check_unpacked(fileobj, max_rows=max_rows, not_excel=not_excel)
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


def _check_unpacked(fileobj, *, max_rows: int, not_excel: str) -> None:
    """Refuse a decompression bomb before openpyxl sees it: more unpacked bytes or XML tags than
    `max_rows` rows can need, or a DOCTYPE (entity expansion; no real workbook has one)."""
    too_big = _(
        "The workbook holds far more data than an import of at most %(max)s rows can need. Keep only the sheet "
        "with the rows to import, save it as .xlsx and try again."
    ) % {"max": max_rows}
    budget = (max_rows + HEADER_SEARCH_ROWS) * TAGS_PER_ROW + TAGS_OVERHEAD
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError, ValueError):
        fileobj.seek(0)
        return  # not a ZIP at all: load_workbook says so in its own words
    try:
        infos = archive.infolist()
        if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
            raise SheetProblem(too_big)
        tags = 0
        for info in infos:
            with archive.open(info) as part:  # reads at most the declared size (a lie fails its CRC)
                tail = b""
                while chunk := part.read(1024 * 1024):
                    tags += chunk.count(b"<")
                    if tags > budget:
                        raise SheetProblem(too_big)
                    if b"<!doctype" in (tail + chunk).lower():
                        raise SheetProblem(not_excel)
                    tail = chunk[-16:]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, RuntimeError, OSError, EOFError, ValueError) as exc:
        raise SheetProblem(not_excel) from exc
    finally:
        archive.close()
        fileobj.seek(0)
