"""Text extraction from real PDF and DOCX resumes (recruiting.resume_text)."""

import io

import pytest

from recruiting.resume_text import MAX_CHARS, extract, extract_text
from recruiting.scoring import Keyword, Screener
from tests.recruiting.fixtures import RESUME_TEXT, docx_bytes, pdf_bytes


def test_docx_paragraphs_and_table_cells():
    from docx import Document

    doc = Document()
    doc.add_paragraph("张伟 · 风控建模工程师")
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "技能"
    table.cell(0, 1).text = "机器学习、Python"
    table.cell(1, 0).text = "经历"
    table.cell(1, 1).text = "招商银行 金融风控"
    merged = doc.add_table(rows=1, cols=2)
    merged.cell(0, 0).merge(merged.cell(0, 1)).text = "合并单元格"
    doc.add_paragraph("结尾段落")
    buf = io.BytesIO()
    doc.save(buf)
    text = extract_text(io.BytesIO(buf.getvalue()), "docx")
    assert text.splitlines()[0] == "张伟 · 风控建模工程师"
    assert "机器学习、Python" in text and "招商银行 金融风控" in text
    assert text.count("合并单元格") == 1
    assert text.index("招商银行") < text.index("结尾段落")  # document order


def test_docx_text_from_the_fixture_scores():
    text = extract_text(docx_bytes(), "docx")
    assert text == RESUME_TEXT
    result = Screener([Keyword("机器学习", 5, True), Keyword("金融风控", 3)]).score(text)
    assert result.matched == ["机器学习", "金融风控"]


def test_pdf_text_with_chinese_scores():
    result = extract(pdf_bytes(), "pdf")
    assert result.problem == ""
    assert "金融风控" in result.text.replace(" ", "")
    screener = Screener([Keyword("机器学习", 5, True), Keyword("金融风控", 3), Keyword("Python", 2)])
    assert screener.score(result.text).score == 100


def test_an_uploaded_file_is_rewound_after_reading():
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("cv.docx", docx_bytes())
    assert extract_text(upload, "docx") == RESUME_TEXT
    assert upload.tell() == 0


def test_encrypted_pdf_gives_no_text_and_a_reason():
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=io.BytesIO(pdf_bytes()))
    writer.encrypt("secret")
    buf = io.BytesIO()
    writer.write(buf)
    result = extract(buf.getvalue(), "pdf")
    assert result.text == "" and result.problem == "encrypted" and result.message


def test_image_only_pdf_gives_no_text():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    buf = io.BytesIO()
    writer.write(buf)
    result = extract(buf.getvalue(), "pdf")
    assert result.text == "" and result.problem == "no_text"


@pytest.mark.parametrize(
    ("data", "ext"),
    [
        (b"%PDF-1.7\n garbage", "pdf"),
        (pdf_bytes()[:400], "pdf"),  # truncated
        (b"PK\x03\x04 not a zip", "docx"),
        (b"", "docx"),
    ],
)
def test_corrupt_files_do_not_crash(data, ext):
    result = extract(data, ext)
    assert result.text == "" and result.problem == "corrupt"


def test_other_types_are_not_read():
    assert extract(b"hello", "txt").problem == "unsupported"


def test_text_is_capped():
    long = "机器学习 Python " * 20_000
    result = extract(docx_bytes("\n".join(long[i : i + 1000] for i in range(0, len(long), 1000))), "docx")
    assert len(result.text) == MAX_CHARS and result.truncated
    assert not extract(docx_bytes(), "docx").truncated


def test_control_characters_are_dropped():
    from recruiting.resume_text import _clean

    text, truncated = _clean(["a\x00b\x07c", "", "d\r\ne"])
    assert text == "abc\nd\ne" and not truncated
