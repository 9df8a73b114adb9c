"""DOCX drafts → PDF with the real LibreOffice (Debian's libreoffice-writer-nogui, installed by
`scripts/ensure-system-deps.sh` and CI)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from pypdf import PdfReader

from tinhso.documents import services
from tinhso.documents.conversion import check_docx, libreoffice_available
from tinhso.files.models import StoredFile
from tinhso.testing.eoffice import EofficeWorld, upload

pytestmark = pytest.mark.django_db

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)


def docx(text: str) -> bytes:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/document.xml", body)
    return buffer.getvalue()


def bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("word/document.xml", b"<" + b"0" * (30 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.skipif(not libreoffice_available(), reason="LibreOffice is not installed")
def test_a_docx_draft_becomes_a_pdf_version(eoffice: EofficeWorld) -> None:
    # given a draft whose new version is a DOCX
    d = eoffice.draft()
    file_id = upload(eoffice.specialist, "du-thao-v2.docx", docx("Về việc báo cáo biên chế"))
    original = StoredFile.objects.get(pk=file_id)
    with default_storage.open(original.storage_name, "rb") as handle:
        before = handle.read()
    # when it is added with conversion
    v = services.outgoing_add_version(
        actor=eoffice.specialist, document_id=d.pk, file_id=file_id, convert=True
    )
    # then the version holds a PDF with the text, and the DOCX is untouched
    assert v.pdf is not None and v.pdf.content_type == "application/pdf"
    with default_storage.open(v.pdf.storage_name, "rb") as handle:
        text = PdfReader(handle).pages[0].extract_text()
    assert "báo cáo biên chế" in text
    with default_storage.open(original.storage_name, "rb") as handle:
        assert handle.read() == before


def test_a_docx_zip_bomb_is_refused_at_upload_and_nothing_is_saved(eoffice: EofficeWorld) -> None:
    files = StoredFile.objects.count()
    with pytest.raises(ValidationError) as caught:
        upload(eoffice.specialist, "bom.docx", bomb())
    assert "bom.docx" in str(caught.value)
    assert StoredFile.objects.count() == files


def test_the_converter_checks_the_zip_again(tmp_path: Path) -> None:
    # Defence in depth: a file stored before the upload check existed is refused too.
    path = tmp_path / "bom.docx"
    path.write_bytes(bomb())
    with pytest.raises(ValidationError) as caught:
        check_docx(path, "bom.docx")
    assert "giải nén ra quá lớn" in str(caught.value)
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ValidationError) as caught:
        check_docx(path, "hong.docx")
    assert "bị hỏng" in str(caught.value)
