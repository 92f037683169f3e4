"""Validation and private storage of uploaded files, shared by every module.

A file is accepted only when its content (magic bytes) is one of the allowed types and agrees
with its extension, and it is within the size limit. It is stored under MEDIA_ROOT with a random
name (no URL maps to MEDIA_ROOT) and served only through views that check permission.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
import uuid
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# extension -> MIME type, for the types the suite accepts anywhere
KNOWN_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
EXTENSION_ALIASES = {"jpeg": "jpg"}
SCAN_TYPES = frozenset({"pdf", "jpg", "png"})
MATERIAL_TYPES = frozenset({"pdf", "docx", "xlsx", "pptx", "jpg", "png"})


@dataclass(frozen=True)
class CheckedUpload:
    extension: str
    content_type: str
    size: int
    sha256: str
    original_name: str


def clean_filename(name: str) -> str:
    """The last path component only, without control characters, at most 120 characters."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*')
    name = name.strip(" .") or "file"
    stem, dot, ext = name.rpartition(".")
    if dot and len(name) > 120:
        name = stem[: 119 - len(ext)] + "." + ext
    return name[:120]


def check_upload(upload, *, allowed: frozenset[str], max_bytes: int | None = None) -> CheckedUpload:
    """Raise ValidationError (translated) unless `upload` is an allowed type by content and
    extension and within the size limit."""
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    if upload is None:
        raise ValidationError(_("Choose a file to upload."), code="required")
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
            code="too_large",
        )
    original = clean_filename(upload.name)
    ext = original.rsplit(".", 1)[-1].lower() if "." in original else ""
    ext = EXTENSION_ALIASES.get(ext, ext)
    allowed_list = ", ".join(sorted(e.upper() for e in allowed))
    if ext not in allowed:
        raise ValidationError(
            _("Files of this type are not accepted here. Allowed: %(types)s.") % {"types": allowed_list},
            code="extension",
        )
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    detected = EXTENSION_ALIASES.get(kind.extension, kind.extension) if kind else None
    if detected == "zip" and ext in {"docx", "xlsx", "pptx"}:
        detected = _office_type(upload)
    if detected != ext:
        raise ValidationError(
            _("The file's content is not a %(ext)s file, whatever its name says. Allowed: %(types)s.")
            % {"ext": ext.upper(), "types": allowed_list},
            code="content",
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(ext, KNOWN_TYPES[ext], upload.size, digest.hexdigest(), original)


def _office_type(upload) -> str | None:
    import zipfile

    try:
        with zipfile.ZipFile(upload) as z:
            names = set(z.namelist())
    except zipfile.BadZipFile:
        return None
    finally:
        upload.seek(0)
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    return None


def private_path(folder: str, extension: str) -> str:
    """A random, unguessable storage path: <folder>/<yyyy>/<uuid4>.<ext>."""
    from django.utils import timezone

    return os.path.join(folder, timezone.now().strftime("%Y"), f"{uuid.uuid4().hex}.{extension}")


class RequestSizeLimitMiddleware:
    """Refuse (413) a request whose body is far larger than any upload may be, before Django reads
    it (issue 11). An upload's size is checked only once it has arrived, and the careers form is
    public: without this one request could stream gigabytes into the temporary directory."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > max_request_bytes():
            from django.http import HttpResponse

            return HttpResponse(_("The request is too large."), status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def max_request_bytes() -> int:
    """Twice the largest upload limit plus 1 MB for the other fields, so a file somewhat over its
    limit still reaches its form and gets the message that names both sizes."""
    largest = max(settings.UPLOAD_MAX_BYTES, int(getattr(settings, "RECRUITING_RESUME_MAX_BYTES", 0)))
    return 2 * largest + 1024 * 1024
