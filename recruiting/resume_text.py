"""The text of an uploaded resume, for keyword screening and for HR to read.

PDF text comes from pypdf, DOCX text from python-docx (body paragraphs and table cells, nested
tables included, in document order). A resume that yields no text (an encrypted PDF, a corrupt
file, a scanned PDF without a text layer) is still accepted: the text is "" and `problem` says
why, so HR reads the file itself and the application simply scores 0. Nothing here raises on
bad input. The text is capped at MAX_CHARS characters.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

MAX_CHARS = 100_000

PROBLEMS = {
    "encrypted": _("The PDF is password-protected; its text could not be read."),
    "corrupt": _("The file could not be read; it may be damaged."),
    "no_text": _("The file contains no text (a scanned image?)."),
    "unsupported": _("Text can only be read from PDF and Word (DOCX) files."),
}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # PostgreSQL text holds no NUL
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Extracted:
    text: str
    problem: str = ""  # a key of PROBLEMS, "" when text was found
    truncated: bool = False

    @property
    def message(self) -> str:
        return str(PROBLEMS.get(self.problem, "")) if self.problem else ""


def _clean(parts: list[str]) -> tuple[str, bool]:
    text = _CONTROL.sub("", "\n".join(p for p in parts if p)).replace("\r\n", "\n").replace("\r", "\n")
    text = _BLANK_LINES.sub("\n\n", text).strip()
    if len(text) > MAX_CHARS:
        return text[:MAX_CHARS], True
    return text, False


def _pdf(data: io.BytesIO) -> Extracted:
    from pypdf import PdfReader

    reader = PdfReader(data)
    if reader.is_encrypted:
        try:
            opened = bool(reader.decrypt(""))  # many "protected" PDFs only restrict printing
        except Exception:  # an unsupported cipher or a missing crypto library
            opened = False
        if not opened:
            return Extracted("", "encrypted")
    parts: list[str] = []
    size = 0
    for page in reader.pages:
        chunk = page.extract_text() or ""
        parts.append(chunk)
        size += len(chunk)
        if size > MAX_CHARS:
            break
    text, truncated = _clean(parts)
    return Extracted(text, "" if text else "no_text", truncated)


def _docx_blocks(container) -> list[str]:
    """Paragraph and table-cell texts of a document body or cell, in order; a merged cell
    (the same cell repeated across the grid) is read once."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    out: list[str] = []
    for block in container.iter_inner_content():
        if isinstance(block, Paragraph):
            out.append(block.text)
        elif isinstance(block, Table):
            seen: set = set()  # the cells' XML elements (kept alive, so their identity holds)
            for row in block.rows:
                for cell in row.cells:
                    if cell._tc in seen:
                        continue
                    seen.add(cell._tc)
                    out.extend(_docx_blocks(cell))
    return out


def _docx(data: io.BytesIO) -> Extracted:
    from docx import Document

    document = Document(data)
    text, truncated = _clean(_docx_blocks(document))
    return Extracted(text, "" if text else "no_text", truncated)


def extract(file, ext: str) -> Extracted:
    """The text of `file` (a file object, an UploadedFile or bytes) of type `ext` ("pdf" or
    "docx"), never raising on a bad file."""
    ext = (ext or "").lower().lstrip(".")
    if ext not in ("pdf", "docx"):
        return Extracted("", "unsupported")
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    else:
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read()
        if hasattr(file, "seek"):
            file.seek(0)
    try:
        return _pdf(io.BytesIO(data)) if ext == "pdf" else _docx(io.BytesIO(data))
    except Exception as exc:  # any parser error means: no text from this file
        logger.info("resume text extraction failed (%s): %s", ext, exc.__class__.__name__)
        return Extracted("", "corrupt")


def extract_text(file, ext: str) -> str:
    """Just the text ("" when none could be read; see `extract` for why)."""
    return extract(file, ext).text
