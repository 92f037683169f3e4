"""Hostile uploads at every upload endpoint (issue 11).

Every place that takes a file goes through ``hrsuite.uploads.check_upload`` (type by content and
extension, size) and ``private_path`` (a random name under MEDIA_ROOT). This module proves it from
the outside, endpoint by endpoint, with requests built byte by byte (the test client would strip
a path from a file name before sending it; a browser or a script need not):

* content that does not match the extension (HTML, an executable, SVG with script, a ZIP, another
  allowed type) and extensions that are never allowed: refused with a message that says why, and
  nothing stored (no row, no file);
* a file over the size limit (limits lowered by settings overrides so the test stays small): the
  same;
* path tricks in the name (``../../etc/passwd``, absolute and Windows paths, NUL, 1,000 characters,
  the right-to-left override, markup): the file, when its content is good, is stored under
  ``<folder>/<year>/<uuid4>.<ext>`` inside MEDIA_ROOT and the name the person gave is kept only as
  cleaned metadata (the last path component, printable, at most 120 characters).

Unit checks of ``clean_filename`` and ``check_upload`` (hypothesis) cover the same rules for
callers that do not come through a multipart request.
"""

from __future__ import annotations

import html
import io
import re
import time
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hrsuite.uploads import MATERIAL_TYPES, SCAN_TYPES, check_upload, clean_filename, private_path
from tests.security.world import PDF, PNG

pytestmark = pytest.mark.django_db

# --- samples -----------------------------------------------------------------------------------------

# PDF and PNG: tests/security/world.py
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 64
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120
SHELL = b"#!/bin/sh\nrm -rf / --no-preserve-root\n"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    from docx import Document

    buffer = io.BytesIO()
    doc = Document()
    doc.add_paragraph("张伟，5年金融风控经验。")
    doc.save(buffer)
    return buffer.getvalue()


PLAIN_ZIP = _zip({"evil.html": HTML, "../../../../tmp/zip-slip.txt": b"x"})  # a zip-slip member, too
FAKE_XLSX = _zip({"xl/nothing.xml": b"<x/>", "[Content_Types].xml": b"<Types/>"})  # a ZIP, not a workbook

# (label, content, extension): content that is not what the name says, or a type never allowed here
MISMATCHES = [
    ("html as the allowed type", HTML, None),
    ("windows executable as the allowed type", EXE, None),
    ("linux executable as the allowed type", ELF, None),
    ("svg with script as the allowed type", SVG, None),
    ("shell script as the allowed type", SHELL, None),
    ("plain zip (zip-slip member) as the allowed type", PLAIN_ZIP, None),
    ("zip with office-like names as the allowed type", FAKE_XLSX, None),
    ("truncated zip as the allowed type", b"PK\x03\x04" + b"\x00" * 200, None),
    ("html, named .html", HTML, "html"),
    ("svg, named .svg", SVG, "svg"),
    ("executable, named .exe", EXE, "exe"),
    ("executable, named .pdf.exe", EXE, "pdf.exe"),
    ("html, named .htm", HTML, "htm"),
    ("no extension at all", PDF, ""),
]

# file names with path tricks: (label, raw name as sent in the multipart header, what happens to a
# good file under that name: "stored" safely, "extension" refused by its type, or 400 when Django
# refuses the request itself (a part header over 1,024 bytes))
PATH_TRICKS = [
    ("relative traversal", "../../../../etc/passwd", "stored"),
    ("absolute path", "/etc/passwd", "stored"),
    ("windows traversal", "..\\..\\..\\windows\\system32\\config", "stored"),
    ("windows drive", "C:\\Windows\\win.ini", "stored"),
    ("url-encoded traversal", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "stored"),
    ("html-entity traversal", "&#x2F;..&#x2F;..&#x2F;etc&#x2F;passwd", "stored"),
    ("NUL byte", "evil.exe\x00", "stored"),
    ("long name", "长" * 100 + "a" * 300, "stored"),
    ("very long name", "长" * 300 + "a" * 700, 400),
    ("right-to-left override", "invoice\u202egnp", "stored"),
    ("zero-width and BOM", "\ufeffscan\u200b", "stored"),
    ("markup in the name", '<script>alert(1)</script>"><img src=x onerror=alert(1)>', "stored"),
    ("control characters", "a\x01\x07\x1b[31mb\x7f", "stored"),
    ("dots only", "....", "extension"),
    ("windows device name", "CON", "stored"),
    ("trailing dots and spaces", "report . . ", "stored"),
    ("newline (header injection on download)", "a\r\nContent-Type: text/html\r\n\r\n<script>", "stored"),
]

# what check_upload says (English): the person learns what to change
MESSAGES = {
    "content": ("whatever its name says", "could not be read as an Excel workbook"),
    "extension": ("Files of this type are not accepted here",),
    "too_large": ("the limit is",),
    "empty": ("file is empty",),
    "bomb": (
        "far more data than an import",
        "could not be read as an Excel workbook",
    ),  # Django's FileField ("The submitted file is empty.") or check_upload
}

STORED_NAME = re.compile(r"^(?P<folder>[a-z-]+)/(?P<year>\d{4})/(?P<uuid>[0-9a-f]{32})\.(?P<ext>[a-z]+)$")


# --- raw multipart requests ------------------------------------------------------------------------------

BOUNDARY = "----hrsuite-hostile-boundary-7d93a1"


def multipart(fields: dict, file_field: str, filename: str, content: bytes) -> bytes:
    """A multipart/form-data body with `filename` exactly as given (UTF-8, quotes escaped as a
    browser does), which Django's parser then sanitises its own way."""
    parts = []
    for name, value in fields.items():
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    quoted = filename.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{quoted}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(parts)


# --- the endpoints ------------------------------------------------------------------------------------


@dataclass
class Endpoint:
    """One place that takes a file. `stored()` lists (storage path, name kept as metadata) of what
    it holds; `fields(i)` gives the other form fields for the i-th request (unique where needed)."""

    client: object
    url: str
    file_field: str
    allowed: frozenset
    folder: str
    stored: object
    fields: object = field(default=lambda i: {})
    limit_setting: str = "UPLOAD_MAX_BYTES"
    samples: dict = field(default_factory=dict)


def _model_store(queryset, path_field, name_field):
    return lambda: [(str(p), n) for p, n in queryset.values_list(path_field, name_field) if p]


def _session_store(client, key):
    def stored():
        return [(t["path"], t["name"]) for t in client.session.get(key, {}).values()]

    return stored


def _get(client, url, **params) -> bytes:
    response = client.get(url, params)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content) if response.streaming else response.content


def ep_employee_document(request):
    from employees.models import EmployeeDocument

    people = request.getfixturevalue("people")
    client = request.getfixturevalue("client_for")("hr")
    return Endpoint(
        client, f"/employees/{people['employees']['employee'].pk}/documents/", "file", SCAN_TYPES, "employee-documents",
        _model_store(EmployeeDocument.objects.all(), "file", "original_name"),
        fields=lambda i: {"kind": "other", "title": f"扫描件{i}"},
    )  # fmt: skip


def ep_course_material(request):
    from training.models import Course, CourseMaterial

    request.getfixturevalue("people")
    client = request.getfixturevalue("client_for")("hr")
    course = Course.objects.create(code="SEC-1", title="信息安全", hours=1)
    return Endpoint(
        client, f"/training/courses/{course.pk}/materials/", "file", MATERIAL_TYPES, "course-materials",
        _model_store(CourseMaterial.objects.all(), "file", "original_name"),
        fields=lambda i: {"title": f"资料{i}"},
    )  # fmt: skip


def _certificate_fields(quals, extra=None):
    def fields(i):
        return {"certificate_type": quals.fund.pk, "number": f"F{i:06d}", "issued_on": date(2025, 1, 2 + i % 25).isoformat(),
                **(extra or {})}  # fmt: skip

    return fields


def ep_my_certificate(request):
    from training.models import EmployeeCertificate

    quals = request.getfixturevalue("quals")
    client = request.getfixturevalue("client_for")("employee")
    return Endpoint(
        client, "/me/certificates/upload/", "scan", SCAN_TYPES, "certificates",
        _model_store(EmployeeCertificate.objects.all(), "scan", "scan_name"),
        fields=_certificate_fields(quals),
    )  # fmt: skip


def ep_hr_certificate(request):
    from training.models import EmployeeCertificate

    quals = request.getfixturevalue("quals")
    people = request.getfixturevalue("people")
    client = request.getfixturevalue("client_for")("hr")
    return Endpoint(
        client, "/training/certificates/new/", "scan", SCAN_TYPES, "certificates",
        _model_store(EmployeeCertificate.objects.all(), "scan", "scan_name"),
        fields=_certificate_fields(quals, {"employee_no": people["employees"]["other_employee"].employee_no}),
    )  # fmt: skip


def ep_handover_attachment(request):
    from offboarding.models import HandoverAttachment
    from offboarding.services_items import HANDOVER_TYPES

    case = request.getfixturevalue("open_case")()
    client = request.getfixturevalue("client_for")("employee")  # the leaver
    return Endpoint(
        client, f"/offboarding/items/{case.items[3].pk}/attachments/", "file", HANDOVER_TYPES, "handover",
        _model_store(HandoverAttachment.objects.all(), "file", "name"),
    )  # fmt: skip


def ep_careers_resume(request):
    from django.test import Client

    from recruiting.models import Application
    from recruiting.services_postings import RESUME_TYPES

    hiring = request.getfixturevalue("hiring")
    return Endpoint(
        Client(), f"/careers/{hiring.posting.pk}/apply/", "resume", RESUME_TYPES, "resumes",
        _model_store(Application.objects.all(), "resume", "resume_name"),
        fields=lambda i: {"name": "候选人", "email": f"cand{i}@example.com", "phone": "13800000000", "source": "careers",
                          "cover_letter": "", "consent": "on"},
        limit_setting="RECRUITING_RESUME_MAX_BYTES",
    )  # fmt: skip


def ep_employee_import(request):
    request.getfixturevalue("people")
    client = request.getfixturevalue("client_for")("hr")
    template = _get(client, "/employees/import/template/")
    return Endpoint(
        client, "/employees/import/", "file", frozenset({"xlsx"}), "imports",
        _session_store(client, "employee_imports"), samples={"xlsx": template},
    )  # fmt: skip


def ep_period_input_import(request):
    request.getfixturevalue("assignments")
    client = request.getfixturevalue("client_for")("payroll")
    month = date.today().replace(day=1).strftime("%Y-%m")
    template = _get(client, "/payroll/inputs/template/", month=month)
    return Endpoint(
        client, "/payroll/inputs/import/", "file", frozenset({"xlsx"}), "imports",
        _session_store(client, "period_input_imports"), fields=lambda i: {"period": month}, samples={"xlsx": template},
    )  # fmt: skip


def _filled(template: bytes, row_for) -> bytes:
    """The app's own template with one row added to its first sheet: row_for(workbook, headers)."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    headers = [c.value for c in sheet[1]]
    sheet.append(row_for(workbook, headers))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ep_market_import(request):
    from employees.models import Position

    request.getfixturevalue("people")
    Position.objects.create(code="SEC-P", title="安全工程师", role_family="technology")
    client = request.getfixturevalue("client_for")("payroll")
    values = {"Survey year": date.today().year, "Position code": "SEC-P", "Basis": "月度", "P25": 10000, "P50": 15000,
              "P75": 20000, "Source": "安全调研 2026"}  # fmt: skip
    template = _filled(_get(client, "/payroll/analytics/market/template/"), lambda wb, hs: [values.get(h) for h in hs])
    return Endpoint(
        client, "/payroll/analytics/market/import/", "file", frozenset({"xlsx"}), "imports",
        _session_store(client, "market_imports"), samples={"xlsx": template},
    )  # fmt: skip


def ep_question_bank_import(request):
    from exams.models import QuestionBank

    request.getfixturevalue("people")
    client = request.getfixturevalue("client_for")("hr")
    bank = QuestionBank.objects.create(name="安全题库")
    # the first worked example of the template's second sheet, as a row of the first
    template = _filled(
        _get(client, "/training/exams/banks/template/"), lambda wb, hs: list(list(wb.worksheets[1].values)[-3])
    )
    return Endpoint(
        client, f"/training/exams/banks/{bank.pk}/import/", "file", frozenset({"xlsx"}), "imports",
        _session_store(client, "exam_question_imports"), samples={"xlsx": template},
    )  # fmt: skip


ENDPOINTS = {
    "employee document": ep_employee_document,
    "course material": ep_course_material,
    "own certificate scan": ep_my_certificate,
    "certificate scan (HR)": ep_hr_certificate,
    "handover attachment": ep_handover_attachment,
    "careers resume": ep_careers_resume,
    "employee import": ep_employee_import,
    "period input import": ep_period_input_import,
    "market survey import": ep_market_import,
    "question bank import": ep_question_bank_import,
}

SAMPLES = {"pdf": PDF, "png": PNG, "jpg": JPG, "docx": None, "xlsx": None, "pptx": None}


def _sample(endpoint: Endpoint, ext: str) -> bytes:
    if ext in endpoint.samples:
        return endpoint.samples[ext]
    if ext == "docx":
        return docx_bytes()
    if ext == "xlsx":
        return xlsx_bytes()
    if ext == "pptx":
        return _zip({"ppt/presentation.xml": b"<p/>", "[Content_Types].xml": b"<Types/>"})
    return SAMPLES[ext]


def _preferred(endpoint: Endpoint) -> str:
    return next(e for e in ("pdf", "xlsx", "png", "docx", "jpg") if e in endpoint.allowed)


def _other_allowed_type(endpoint: Endpoint) -> tuple[str, bytes] | None:
    """A real file of a type the suite knows but this endpoint does not take under the preferred
    extension: a PNG named .pdf, a PDF named .xlsx, ..."""
    ext = _preferred(endpoint)
    return ("png", PNG) if ext != "png" else ("pdf", PDF)


def _files_under(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _said(response) -> str:
    """Everything the person is told: the page, unescaped, or the messages a redirect carries
    (read from the request, so the next page need not be rendered)."""
    if response.status_code == 302:
        return " ".join(str(m) for m in get_messages(response.wsgi_request))
    return html.unescape(response.content.decode())


class Probe:
    def __init__(self, endpoint: Endpoint, media_root: Path, tmp_path: Path):
        self.endpoint = endpoint
        self.media_root = media_root
        self.tmp_path = tmp_path
        self.count = 0

    def post(self, filename: str, content: bytes):
        self.count += 1
        e = self.endpoint
        body = multipart({k: str(v) for k, v in e.fields(self.count).items()}, e.file_field, filename, content)
        return e.client.post(e.url, data=body, content_type=f"multipart/form-data; boundary={BOUNDARY}")

    def refused(self, filename: str, content: bytes, why: str, label: str):
        before_rows, before_files = list(self.endpoint.stored()), _files_under(self.media_root)
        response = self.post(filename, content)
        assert response.status_code in (200, 302, 400), (label, response.status_code)
        said = _said(response)
        assert any(m in said for m in MESSAGES[why]), f"{label}: no message saying {MESSAGES[why]!r}"
        assert self.endpoint.stored() == before_rows, f"{label}: something was recorded"
        assert _files_under(self.media_root) == before_files, f"{label}: a file was stored"
        self.everything_inside_media_root()

    def safely_stored_or_refused(self, filename: str, content: bytes, label: str):
        before = set(self.endpoint.stored())
        response = self.post(filename, content)
        assert response.status_code in (200, 302, 400), (label, response.status_code)
        new = set(self.endpoint.stored()) - before
        for path, name in new:
            self.check_stored(path, name, label)
        self.everything_inside_media_root()
        return new

    def bad_request(self, filename: str, content: bytes, label: str):
        before_rows, before_files = list(self.endpoint.stored()), _files_under(self.media_root)
        response = self.post(filename, content)
        assert response.status_code == 400, (label, response.status_code)
        assert self.endpoint.stored() == before_rows and _files_under(self.media_root) == before_files, label

    def check_stored(self, path: str, name: str, label: str):
        match = STORED_NAME.match(path)
        assert match, f"{label}: stored as {path!r}, not <folder>/<year>/<uuid>.<ext>"
        assert match["folder"] == self.endpoint.folder
        assert match["ext"] in self.endpoint.allowed
        full = (self.media_root / path).resolve()
        assert full.is_relative_to(self.media_root.resolve()) and full.is_file(), label
        # the name the person gave is metadata only, and clean
        assert name and len(name) <= 120, (label, name)
        assert not set(name) & set('/\\<>:"|?*\x00'), (label, name)
        assert all(ch.isprintable() for ch in name), (label, name)
        assert name not in {".", ".."} and not name.startswith("."), (label, name)

    def everything_inside_media_root(self):
        outside = {p for p in _files_under(self.tmp_path) if not p.startswith(self.media_root.name + "/")}
        assert not outside, f"files written outside MEDIA_ROOT: {outside}"


@pytest.fixture
def media_root(settings, tmp_path):
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    return root


@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_hostile_uploads_are_refused_or_stored_safely(name, request, media_root, tmp_path, settings, english):
    endpoint = ENDPOINTS[name](request)
    probe = Probe(endpoint, media_root, tmp_path)
    ext = _preferred(endpoint)
    good = _sample(endpoint, ext)

    # 1. content that does not match the name, and types never allowed
    for label, content, given_ext in MISMATCHES:
        suffix = ext if given_ext is None else given_ext
        filename = f"scan.{suffix}" if suffix else "scan"
        why = "content" if given_ext is None else "extension"
        if suffix and suffix.rsplit(".", 1)[-1] in endpoint.allowed:
            why = "content"
        probe.refused(filename, content, why, f"{name}: {label}")
    other_ext, other = _other_allowed_type(endpoint)
    probe.refused(f"scan.{ext}", other, "content", f"{name}: a real {other_ext} named .{ext}")
    probe.refused(f"scan.{ext}", b"", "empty", f"{name}: an empty file")

    # 2. over the size limit: the limit is lowered so the file stays small
    setattr(settings, endpoint.limit_setting, len(good) + 1024)
    probe.refused(f"big.{ext}", good + b"\x00" * 2048, "too_large", f"{name}: over the size limit")
    setattr(settings, endpoint.limit_setting, 10 * 1024 * 1024)

    # 3. path tricks in the name, with good content: stored under a generated name, or refused
    stored = 0
    for label, trick, expected in PATH_TRICKS:
        filename, what = f"{trick}.{ext}", f"{name}: {label}"
        if expected == "stored":
            stored += len(probe.safely_stored_or_refused(filename, good, what))
        elif expected == 400:
            probe.bad_request(filename, good, what)
        else:
            probe.refused(filename, good, expected, what)
    # a trick that ends the name in another extension is refused by extension
    probe.refused(f"../../scan.{ext}/../evil.exe", good, "extension", f"{name}: traversal ending in .exe")
    probe.refused(f"scan.{ext}\x00.exe", good, "extension", f"{name}: NUL before .exe")
    probe.refused(f"scan\u202e{ext[::-1]}.exe", good, "extension", f"{name}: RTL override hiding .exe")

    expected_stored = sum(1 for *_, e in PATH_TRICKS if e == "stored")
    # (an import keeps a valid workbook for its confirmation step, under the same rules)
    assert stored == expected_stored, f"{name}: good files under odd names should be stored safely"


def test_downloads_send_the_clean_name_as_an_attachment(client_for, people, media_root, tmp_path):
    """A stored document comes back as an attachment named with the cleaned original name: no
    path, no header injection, and the type from the content check, never from the name."""
    endpoint = ep_employee_document(_Request({"people": people, "client_for": client_for}))
    probe = Probe(endpoint, media_root, tmp_path)
    from employees.models import EmployeeDocument

    for label, trick, expected in PATH_TRICKS:
        if expected == "stored":
            probe.safely_stored_or_refused(f"{trick}.pdf", PDF, label)
    documents = list(EmployeeDocument.objects.all())
    assert len(documents) == sum(1 for *_, e in PATH_TRICKS if e == "stored")  # the loop below checks each
    for document in documents:
        response = client_for("hr").get(f"/employees/documents/{document.pk}/")
        assert response.status_code == 200
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert "\r" not in disposition and "\n" not in disposition
        value = disposition.split("filename", 1)[1]
        # an ASCII name is sent quoted (filename="..."), any other percent-encoded (filename*=utf-8'')
        sent_name = unquote(value[len("*=utf-8''") :]) if value.startswith("*=") else value[2:-1]
        assert not set(sent_name) & set("/\\\x00"), sent_name
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        b"".join(response.streaming_content)


class _Request:
    """Enough of pytest's `request` for the endpoint builders outside a parametrised test."""

    def __init__(self, fixtures):
        self.fixtures = fixtures

    def getfixturevalue(self, name):
        return self.fixtures[name]


# --- a request body far over any limit ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["careers resume", "employee document"])
def test_a_huge_request_is_refused_before_it_is_read(name, request, media_root, tmp_path, settings):
    """The size check of an upload runs once the file has arrived; a body far over every limit is
    refused (413) before Django reads it, so an anonymous visitor of the careers page cannot
    stream gigabytes to the server's disk. Limits are lowered so the body stays small here."""
    from hrsuite.uploads import max_request_bytes

    settings.UPLOAD_MAX_BYTES = settings.RECRUITING_RESUME_MAX_BYTES = 64 * 1024
    endpoint = ENDPOINTS[name](request)
    probe = Probe(endpoint, media_root, tmp_path)
    before = list(endpoint.stored())
    body = PDF + b"\x00" * (max_request_bytes() + 1)
    response = probe.post("resume.pdf", body)
    assert response.status_code == 413
    assert endpoint.stored() == before and _files_under(media_root) == set()
    # just under the cap the request is read and the form says why the file is refused
    response = probe.post("resume.pdf", PDF + b"\x00" * (2 * 64 * 1024))
    assert response.status_code in (200, 302, 400)
    assert endpoint.stored() == before


# --- decompression bombs in the Excel imports --------------------------------------------------------

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def _with_parts(workbook: bytes, parts: dict[str, str | bytes]) -> bytes:
    """`workbook` with some parts replaced or added (maximum compression: a bomb is small)."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "[Content_Types].xml" and "xl/sharedStrings.xml" in parts:
                data = data.replace(
                    b"</Types>",
                    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SST_TYPE}"/></Types>'.encode(),
                )
            z.writestr(info.filename, parts.get(info.filename, data))
        for name, data in parts.items():
            if name not in source.namelist():
                z.writestr(name, data)
    return out.getvalue()


def _sheet(rows_xml: str, doctype: str = "") -> str:
    header = '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
    return (
        f'<?xml version="1.0"?>{doctype}<worksheet xmlns="{NS}"><sheetData>{header}{rows_xml}</sheetData></worksheet>'
    )


LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol0 "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    + "]>"
)
BOMBS = [  # (label, parts to put in a small real workbook), built only when the test runs
    ("four million empty rows", lambda: {"xl/worksheets/sheet1.xml": _sheet("<row/>" * 4_000_000)}),
    ("a row of a million cells", lambda: {"xl/worksheets/sheet1.xml": _sheet("<row>" + "<c><v>1</v></c>" * 1_000_000 + "</row>")}),
    ("a million shared strings", lambda: {"xl/sharedStrings.xml": f'<sst xmlns="{NS}">' + "<si><t>a</t></si>" * 1_000_000 + "</sst>"}),
    ("one 120 MB shared string", lambda: {"xl/sharedStrings.xml": f'<sst xmlns="{NS}"><si><t>' + "a" * 120_000_000 + "</t></si></sst>"}),
    ("entity expansion (billion laughs)", lambda: {"xl/worksheets/sheet1.xml": _sheet('<row><c t="inlineStr"><is><t>&lol9;</t></is></c></row>', LAUGHS)}),
    ("external entity (XXE)", lambda: {"xl/worksheets/sheet1.xml": _sheet(
        '<row><c t="inlineStr"><is><t>&xxe;</t></is></c></row>', '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')}),
]  # fmt: skip
IMPORTS = [name for name in ENDPOINTS if name.endswith("import")]


@pytest.fixture(scope="module")
def bombs():
    return [(label, _with_parts(xlsx_bytes(), parts())) for label, parts in BOMBS]


@pytest.mark.parametrize("name", IMPORTS)
def test_decompression_bombs_are_refused_quickly(name, bombs, request, media_root, tmp_path, english):
    """A small .xlsx that unpacks to millions of rows, cells or strings, or expands entities, is
    refused with a message within a second or two; before the check in hrsuite.sheets a 200 KB
    file of this kind held a worker for a minute and half a gigabyte."""
    endpoint = ENDPOINTS[name](request)
    probe = Probe(endpoint, media_root, tmp_path)
    for label, bomb in bombs:
        assert len(bomb) < 1_000_000, label  # well under the upload limit
        started = time.perf_counter()
        probe.refused("data.xlsx", bomb, "bomb", f"{name}: {label}")
        assert time.perf_counter() - started < 3, f"{name}: {label} took {time.perf_counter() - started:.1f}s"


# what hrsuite.sheets.check_unpacked itself says of each bomb: an entity bomb must be caught by the
# DOCTYPE scan (openpyxl's parser would refuse it too, but only after reading it, in words that do
# not say why), every other one by the byte, tag or row budget
BOMB_CODES = {
    "four million empty rows": "too_big",
    "a row of a million cells": "too_big",
    "a million shared strings": "too_big",
    "one 120 MB shared string": "too_big",
    "entity expansion (billion laughs)": "doctype",
    "external entity (XXE)": "doctype",
}


def test_the_unpacked_check_itself_refuses_each_bomb_for_its_reason(bombs):
    from hrsuite.sheets import MIN_COLUMNS, SheetProblem, check_unpacked

    assert set(BOMB_CODES) == {label for label, _parts in BOMBS}
    for label, bomb in bombs:
        with pytest.raises(SheetProblem) as refused:
            check_unpacked(io.BytesIO(bomb), max_rows=20_000, columns=MIN_COLUMNS)
        assert refused.value.code == BOMB_CODES[label], label
    # the real workbook the bombs are made from passes: the check refuses the bombs, not every file
    check_unpacked(io.BytesIO(xlsx_bytes()), max_rows=20_000, columns=MIN_COLUMNS)


def test_empty_rows_are_refused_however_wide_the_import(bombs):
    """A wide import (a period-input file of 60 columns) has a large tag budget; millions of empty
    rows, which cost the parser most per tag, are still refused by counting rows."""
    from hrsuite.sheets import SheetProblem, check_unpacked, tag_budget

    bomb = dict(bombs)["four million empty rows"]
    assert tag_budget(max_rows=20_000, columns=60) > 4_000_000  # the tag count alone would let it through
    with pytest.raises(SheetProblem) as refused:
        check_unpacked(io.BytesIO(bomb), max_rows=20_000, columns=60)
    assert refused.value.code == "too_big"


# --- unit checks of the shared rules -----------------------------------------------------------------


@settings(max_examples=400, deadline=500, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.text(max_size=2000), st.sampled_from([t for _, t, _ in PATH_TRICKS]), st.lists(
    st.sampled_from(["..", "/", "\\", ".", "\x00", "\u202e", "etc", "passwd", "C:", "~", " ", "\n", "pdf", "长"]),
    max_size=40).map("".join)))  # fmt: skip
def test_clean_filename_always_gives_one_safe_component(name):
    cleaned = clean_filename(name)
    assert cleaned and len(cleaned) <= 120
    assert "/" not in cleaned and "\\" not in cleaned
    assert cleaned not in {".", ".."} and not cleaned.startswith(".")
    assert all(ch.isprintable() for ch in cleaned)
    assert not set(cleaned) & set('<>:"|?*')
    assert Path("/srv/media", cleaned).resolve().parent == Path("/srv/media")


@settings(max_examples=200, deadline=500, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=4096), st.sampled_from(sorted(MATERIAL_TYPES | {"exe", "html", "svg", "js", ""})))
def test_check_upload_accepts_only_content_of_the_named_type(content, ext):
    """Random bytes under any name: accepted only if the content really is that (allowed) type."""
    upload = SimpleUploadedFile(f"x.{ext}" if ext else "x", content)
    try:
        checked = check_upload(upload, allowed=MATERIAL_TYPES)
    except ValidationError as exc:
        assert exc.code in {"empty", "extension", "content", "too_large"}
    else:
        assert checked.extension == ext.replace("jpeg", "jpg")
        assert ext in MATERIAL_TYPES


@pytest.mark.parametrize("prefix", [PDF, PNG, JPG])
def test_a_real_header_followed_by_html_is_kept_as_its_real_type(prefix):
    """A polyglot (a real PDF/PNG/JPG header, then HTML) is accepted only as that type: it is
    stored with that content type and always served as an attachment with nosniff, so a browser
    never renders the HTML part."""
    ext = {PDF: "pdf", PNG: "png", JPG: "jpg"}[prefix]
    checked = check_upload(SimpleUploadedFile(f"x.{ext}", prefix + HTML), allowed=SCAN_TYPES)
    assert checked.content_type in {"application/pdf", "image/png", "image/jpeg"}
    with pytest.raises(ValidationError):
        check_upload(SimpleUploadedFile("x.html", prefix + HTML), allowed=SCAN_TYPES)


def test_private_paths_are_random_and_inside_their_folder():
    paths = {private_path("employee-documents", "pdf") for _ in range(200)}
    assert len(paths) == 200
    assert all(STORED_NAME.match(p) and p.startswith("employee-documents/") for p in paths)
