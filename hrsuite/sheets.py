"""Reading an uploaded Excel workbook for an import (employees, period inputs, market surveys,
question banks): the first sheet's header row (the first non-empty row among the first ten) and
its non-empty data rows with their sheet row numbers. Problems raise SheetProblem with a
translated message; each importer adds its own noun ("one employee per row"). Also what every
importer reads cells and headers with (`cell_text`, `header_key`), so the four agree."""

from __future__ import annotations

import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from xml.etree.ElementTree import ParseError

from django.core.files import File
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

HEADER_SEARCH_ROWS = 10
# Bounds on what a workbook may unpack to, checked before openpyxl parses it (issue 11): a few
# hundred kilobytes of compressed XML can otherwise unpack to millions of empty rows, a row of a
# million cells or millions of shared strings, each costing the parser time and memory (minutes
# and gigabytes per upload). Every XML tag starts with "<", so counting that byte bounds the work.
# The budget grows with the rows and the columns the import reads (a period-input file has one
# column per input definition, 40 and more). Rows are also counted on their own: an empty row is
# two tags but costs the parser as much as a short filled one.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # all parts together; a full 20,000-row import is ~45 MB
TAGS_PER_ROW = 2  # <row> and </row>
TAGS_PER_CELL = 6  # a number is 4 (<c><v></v></c>), a text 8 with its shared string; rows mix them
MIN_COLUMNS = 25  # room for a few columns the import ignores (notes, a department)
TAGS_OVERHEAD = 100_000  # styles, theme, relationships
ROWS_PER_ROW = 10  # <row> elements per row the import may read: formatted empty rows below the data
ROW_TAG = re.compile(rb"<row[\s/>]")
READ_ERRORS = (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, OSError, ParseError)


class SheetProblem(Exception):
    """A file the import cannot use, with a translated message; `code` says why (tests tell the
    refusals apart by it): "not_excel", "too_big", "doctype", or "" for an importer's own."""

    def __init__(self, message: str, code: str = ""):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Sheet:
    title: str
    header: tuple
    rows: list[tuple[int, tuple]]


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any) -> str:
    """Text of a cell. Numbers typed into a text column (an employee number 1001, a phone number)
    come back from Excel as int or float; 1001.0 becomes "1001", a date YYYY-MM-DD, a boolean
    TRUE or FALSE as Excel shows it."""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def header_key(text: Any) -> str:
    """A header (or a name) as imports compare it: full-width letters, digits and spaces as their
    plain forms (NFKC, as a Chinese input method types them), no whitespace, no trailing * (the
    templates' mark of a required column), case folded."""
    return "".join(unicodedata.normalize("NFKC", str(text)).split()).rstrip("*").casefold()


def is_chinese(language: str | None = None) -> bool:
    """Whether messages and headers are in Chinese: `language`, else the active one."""
    return (language or translation.get_language() or "zh-hans").lower().startswith("zh")


def join_names(items: Iterable[str]) -> str:
    """Column names in one message: 工号、姓名 in Chinese, "Name, Email" in English."""
    return ("、" if is_chinese() else ", ").join(items)


def as_file(fileobj, filename: str | None, default_name: str) -> File:
    """`fileobj` as a Django File with a name (uploads already are)."""
    if hasattr(fileobj, "chunks") and hasattr(fileobj, "size") and getattr(fileobj, "name", None):
        return fileobj
    return File(fileobj, name=str(filename or getattr(fileobj, "name", None) or default_name))


def _not_excel() -> str:
    return _(
        "The file could not be read as an Excel workbook. Open it in Excel or WPS, save it as .xlsx and try again."
    )


def read_first_sheet(fileobj, *, max_rows: int, columns: int, empty_message: str, too_many_message: str) -> Sheet:
    """The first sheet's title, header cells and non-empty rows. `columns` is how many columns
    the import reads (it sizes the unpacking budget); `empty_message` is used when the sheet has
    no header; `too_many_message` (with %(max)s) beyond `max_rows` rows."""
    check_unpacked(fileobj, max_rows=max_rows, columns=columns)
    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=True)
    except READ_ERRORS as exc:
        raise SheetProblem(_not_excel(), "not_excel") from exc
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
        raise SheetProblem(_not_excel(), "not_excel") from exc
    finally:
        workbook.close()


def tag_budget(*, max_rows: int, columns: int) -> int:
    """The most XML tags a workbook of `max_rows` rows of `columns` columns can need."""
    per_row = TAGS_PER_ROW + TAGS_PER_CELL * max(columns, MIN_COLUMNS)
    return (max_rows + HEADER_SEARCH_ROWS) * per_row + TAGS_OVERHEAD


def check_unpacked(fileobj, *, max_rows: int, columns: int) -> None:
    """Refuse a decompression bomb before openpyxl sees it: more unpacked bytes or XML tags than
    `max_rows` rows of `columns` columns can need, or far more rows ("too_big"), or a DOCTYPE ("doctype": entity
    expansion or an external entity; no real workbook has one). A file that is not a ZIP at all
    is left to openpyxl."""
    too_big = _(
        "The workbook holds far more data than an import of at most %(max)s rows can need. Keep only the sheet "
        "with the rows to import, save it as .xlsx and try again."
    ) % {"max": max_rows}
    not_excel = _not_excel()
    budget = tag_budget(max_rows=max_rows, columns=columns)
    row_budget = (max_rows + HEADER_SEARCH_ROWS) * ROWS_PER_ROW
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError, ValueError):
        fileobj.seek(0)
        return  # not a ZIP at all: load_workbook says so in its own words
    try:
        infos = archive.infolist()
        if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
            raise SheetProblem(too_big, "too_big")
        tags = rows = 0
        for info in infos:
            with archive.open(info) as part:  # reads at most the declared size (a lie fails its CRC)
                tail = b""
                while chunk := part.read(1024 * 1024):
                    tags += chunk.count(b"<")
                    rows += len(ROW_TAG.findall(tail[-4:] + chunk))  # a 4-byte tail holds no whole <row
                    if tags > budget or rows > row_budget:
                        raise SheetProblem(too_big, "too_big")
                    if b"<!doctype" in (tail + chunk).lower():
                        raise SheetProblem(not_excel, "doctype")
                    tail = chunk[-16:]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, RuntimeError, OSError, EOFError, ValueError) as exc:
        raise SheetProblem(not_excel, "not_excel") from exc
    finally:
        archive.close()
        fileobj.seek(0)
