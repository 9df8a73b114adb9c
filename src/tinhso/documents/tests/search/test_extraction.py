"""Reading the text of PDFs and DOCX files, with limits, in a limited child process."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from pathlib import Path

from tinhso.documents.search import extraction
from tinhso.documents.search.extraction import extract_docx, extract_isolated, extract_pdf
from tinhso.documents.tests.search.conftest import encrypted_pdf, scan_image, text_pdf

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx(body_xml: str | bytes, *, extra: dict[str, bytes] | None = None) -> bytes:
    body = body_xml.encode("utf-8") if isinstance(body_xml, str) else body_xml
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", body)
        for name, data in (extra or {}).items():
            archive.writestr(name, data, zipfile.ZIP_STORED)
    return out.getvalue()


def paragraphs(*texts: str) -> str:
    runs = "".join(f"<w:p><w:r><w:t>{t}</w:t></w:r></w:p>" for t in texts)
    return f'<?xml version="1.0"?><w:document xmlns:w="{W}"><w:body>{runs}</w:body></w:document>'


def test_a_pdf_text_layer_is_read_in_its_own_normalisation() -> None:
    # given a PDF whose text was written decomposed (NFD)
    data = text_pdf(unicodedata.normalize("NFD", "Quyết định về việc bổ nhiệm"), "Trang hai")
    # when
    result = extract_isolated("pdf", data, seconds=30, memory_mb=1024)
    # then
    assert result.status == "ok"
    assert unicodedata.normalize("NFC", result.text).startswith("Quyết định về việc bổ nhiệm")
    assert result.pages == 1 and result.scanned_pages == 0 and not result.truncated


def test_a_pdf_of_an_image_has_pages_for_ocr() -> None:
    result = extract_pdf(scan_image(["Quyết định"], image_format="PDF"))
    assert result.status == "empty"
    assert result.scanned_pages == 1


def test_an_encrypted_pdf_is_not_read() -> None:
    # given a PDF that opens only with its password
    data = encrypted_pdf(text_pdf("Tài liệu mật"))
    # when
    result = extract_isolated("pdf", data, seconds=30, memory_mb=1024)
    # then
    assert result.status == "failed" and result.reason == "encrypted" and result.text == ""


def test_a_pdf_restricted_by_an_owner_password_only_is_read() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf("Công văn hạn chế in"))))
    writer.encrypt(user_password="", owner_password="chu-so-huu", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    result = extract_pdf(out.getvalue())
    assert result.status == "ok" and "hạn chế" in unicodedata.normalize("NFC", result.text)


def test_a_malformed_pdf_is_recorded_not_raised() -> None:
    for data in (
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
        b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF",
        text_pdf("Bị cắt cụt")[:900],
    ):
        result = extract_pdf(data)
        assert result.status == "failed" and result.reason == "malformed", data[:40]


def test_a_docx_body_is_read_with_its_paragraphs() -> None:
    # given
    data = docx(paragraphs("Về việc tổ chức", "hội nghị &amp; tập huấn"))
    # when
    result = extract_isolated("docx", data, seconds=30, memory_mb=1024)
    # then
    assert result.status == "ok"
    assert result.text == "Về việc tổ chức\nhội nghị & tập huấn"


def test_a_docx_zip_bomb_is_refused_before_decompression() -> None:
    # given a DOCX whose text part inflates 6 MB from a few kB (ratio ~1000), padded with
    # stored random bytes so that the archive as a whole looks ordinary
    import os

    bomb = docx(b"<" + b"0" * (6 * 1024 * 1024), extra={"word/media/pad.bin": os.urandom(120_000)})
    # when
    result = extract_docx(bomb)
    # then
    assert result.status == "failed" and result.reason == "zip_bomb"
    assert result.detail == {"check": "ratio"}
    assert result.text == ""


def test_a_docx_whose_header_understates_its_size_is_not_read_past_it() -> None:
    # given a DOCX whose text part inflates to 6 MB while its headers declare 5 kB (the ratio
    # check passes on the declared size)
    data = bytearray(docx(b"<" + b"0" * (6 * 1024 * 1024)))
    name = b"word/document.xml"
    for signature, size_at in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        at = data.find(signature)
        while at != -1:
            name_at = at + (46 if signature == b"PK\x01\x02" else 30)
            if data[name_at : name_at + len(name)] == name:
                data[at + size_at : at + size_at + 4] = (5000).to_bytes(4, "little")
            at = data.find(signature, at + 4)
    # when
    result = extract_docx(bytes(data))
    # then reading stops at the declared size and the broken part is refused
    assert result.status == "failed" and result.reason == "malformed"
    assert result.text == ""


def test_docx_entities_are_never_expanded() -> None:
    # given a billion-laughs DTD and an external entity
    xml = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
        '<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>trước &c; &x; sau</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )
    # when
    result = extract_docx(docx(xml))
    # then nothing was expanded or read from the disk
    assert "aaaaaaaaaa" not in result.text
    assert "root:" not in result.text
    assert len(result.text) < 100


def test_a_docx_without_its_body_or_not_a_zip_is_malformed() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    assert extract_docx(out.getvalue()).reason == "malformed"
    assert extract_docx(b"PK\x03\x04 not really a zip").reason == "malformed"
    assert extract_docx(docx("<w:document><unclosed>")).reason == "malformed"


def test_the_child_process_is_stopped_at_its_time_limit() -> None:
    # when the limit is shorter than an interpreter's start
    result = extract_isolated("pdf", text_pdf("Hết giờ"), seconds=0.001, memory_mb=1024)
    # then
    assert result.status == "failed" and result.reason == "timeout"
    assert result.detail == {"seconds": 0.001}


def test_a_child_out_of_memory_fails_cleanly() -> None:
    # when the address space is too small for the interpreter to read a PDF
    result = extract_isolated("pdf", text_pdf("Bộ nhớ"), seconds=30, memory_mb=16)
    # then the caller gets a failed result, not an exception
    assert result.status == "failed" and result.reason in {"memory", "crashed"}
    assert result.text == ""


def test_text_is_capped_per_file() -> None:
    # given a DOCX of 1.2 million characters of varied words (it compresses like a real text)
    import random

    rnd = random.Random(5)
    words = (Path(__file__).parent / "data" / "Viet22K.txt").read_text("utf-8").split()
    chunks = [" ".join(rnd.choice(words) for _ in range(60)) for _ in range(4000)]
    # when
    result = extract_docx(docx(paragraphs(*chunks)))
    # then the first million characters are kept
    assert result.status == "ok" and result.truncated
    assert len(result.text) <= extraction.MAX_CHARS
    assert result.text.startswith(chunks[0])
