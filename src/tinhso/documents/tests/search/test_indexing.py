"""Keeping the index: files read once per content, bad files recorded with their reason while
the rest of the document stays searchable, rows removed with their documents."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction

from tinhso.documents.models import Document
from tinhso.documents.models.search import FileText, OcrStatus, SearchEntry, TextStatus
from tinhso.documents.search import (
    file_text_report,
    index_document,
    schedule_index,
    search_documents,
)
from tinhso.documents.search.indexing import FTS_TABLE
from tinhso.documents.tests.search.conftest import (
    DOCX,
    PDF,
    PNG,
    World,
    attach,
    encrypted_pdf,
    make_document,
    scan_image,
    text_pdf,
)


def found(world: World, query: str, document: Document) -> bool:
    page = search_documents(world.actor(world.clerk_a), query)
    return document.pk in {hit.id for hit in page.hits}


def docx_bomb() -> bytes:
    """A DOCX whose text part inflates 6 MB from a few kB, padded with stored random bytes so
    that the archive as a whole passes the upload's ratio check."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>", zipfile.ZIP_DEFLATED)
        archive.writestr("word/document.xml", b"<" + b"0" * (6 * 1024 * 1024), zipfile.ZIP_DEFLATED)
        archive.writestr("word/media/pad.bin", os.urandom(120 * 1024), zipfile.ZIP_STORED)
    return out.getvalue()


def fts_rows(document_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {FTS_TABLE} WHERE rowid = %s", [document_id])  # noqa: S608
        count: int = cursor.fetchone()[0]
    return count


def test_bad_files_are_recorded_with_their_reason_and_the_rest_stays_searchable(
    world: World,
) -> None:
    # given a document with a readable PDF and four files that cannot be read
    document = make_document(
        agency=world.agency_a, created_by=world.clerk_a, subject="Về việc kiểm tra công vụ"
    )
    attach(
        document, text_pdf("Biên bản kiểm tra tại xã Phong Điền"), name="bb.pdf", content_type=PDF
    )
    attach(
        document,
        encrypted_pdf(text_pdf("Nội dung mật Quảng Điền")),
        name="mat.pdf",
        content_type=PDF,
    )
    attach(
        document,
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
        name="hong.pdf",
        content_type=PDF,
    )
    attach(document, docx_bomb(), name="bom.docx", content_type=DOCX)
    attach(document, scan_image(["Hương Trà"]), name="scan.pdf", content_type=PDF)

    # when the reasons are read back
    report = {r.name: r for r in file_text_report(document.pk)}

    # then each bad file says why in Vietnamese, and holds no text
    assert report["bb.pdf"].status == "ok" and report["bb.pdf"].message == ""
    assert report["mat.pdf"].status == "failed"
    assert report["mat.pdf"].message == (
        "Tệp PDF được mã hóa bằng mật khẩu: không đọc được nội dung để tìm kiếm."
    )
    assert report["hong.pdf"].message == (
        "Tệp PDF bị hỏng hoặc sai cấu trúc: không đọc được nội dung để tìm kiếm."
    )
    assert report["bom.docx"].message == (
        "Tệp DOCX (Word) có cấu trúc nén bất thường (dung lượng giải nén quá lớn): hệ thống "
        "không đọc nội dung để bảo đảm an toàn."
    )
    assert report["scan.pdf"].message == (
        "Nội dung tệp là PNG, không phải PDF như tên hoặc định dạng khai báo: hệ thống không "
        "đọc nội dung tệp này."
    )
    for name in ("mat.pdf", "hong.pdf", "bom.docx", "scan.pdf"):
        assert report[name].chars == 0
    # and the subject and the readable file are searchable, nothing of the others
    assert found(world, "kiem tra cong vu", document)
    assert found(world, "Phong Điền", document)
    assert not found(world, "Quảng Điền", document)
    assert FileText.objects.filter(status=TextStatus.FAILED).count() == 4


def test_a_file_is_read_once_per_content(world: World) -> None:
    # given the same bytes attached to two documents
    data = text_pdf("Kế hoạch chuyển đổi số năm 2026")
    first = make_document(agency=world.agency_a, created_by=world.clerk_a, subject="Thứ nhất")
    second = make_document(agency=world.agency_a, created_by=world.clerk_a, subject="Thứ hai")
    attach(first, data, name="kh.pdf", content_type=PDF)
    text = FileText.objects.get()
    # when the second document is indexed with it
    attach(second, data, name="kh-ban-sao.pdf", content_type=PDF)
    # then the content was not read again, and both documents are found by it
    assert FileText.objects.get().updated_at == text.updated_at
    page = search_documents(world.actor(world.clerk_a), "chuyen doi so")
    assert {hit.id for hit in page.hits} == {first.pk, second.pk}


def test_a_docx_is_searchable(world: World) -> None:
    body = (
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>Dự thảo quy chế tiếp công dân</w:t></w:r></w:p></w:body>"
        "</w:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", body)
    document = make_document(agency=world.agency_a, created_by=world.clerk_a, subject="Góp ý")
    attach(document, out.getvalue(), name="du-thao.docx", content_type=DOCX)
    assert found(world, "tiep cong dan", document)


def test_an_image_waits_for_ocr_when_ocr_is_disabled(world: World, settings: Any) -> None:
    # given OCR switched off
    settings.TINHSO_OCR_ENABLED = False
    document = make_document(
        agency=world.agency_a, created_by=world.clerk_a, subject="Bản chụp giấy mời"
    )
    # when a scan is attached
    attach(document, scan_image(["Giấy mời họp"]), name="giay-moi.png", content_type=PNG)
    # then it is recorded as not read, with the reason, and the document is still found
    text = FileText.objects.get()
    assert text.ocr_status == OcrStatus.DISABLED
    (line,) = file_text_report(document.pk)
    assert line.message == "Nhận dạng chữ (OCR) đang tắt: nội dung bản quét chưa tìm kiếm được."
    assert found(world, "giay moi", document)


def test_the_index_row_goes_with_its_document(world: World) -> None:
    # given an indexed document
    document = make_document(agency=world.agency_a, created_by=world.clerk_a, subject="Xóa bỏ")
    assert SearchEntry.objects.filter(document_id=document.pk).exists()
    document_id = document.pk
    # when it is deleted and indexed again
    document.delete()
    index_document(document_id)
    # then no row (and on SQLite no FTS row) is left
    assert not SearchEntry.objects.filter(document_id=document_id).exists()
    if connection.vendor == "sqlite":
        assert fts_rows(document_id) == 0


def test_indexing_is_idempotent_and_follows_changes(world: World) -> None:
    # given
    document = make_document(
        agency=world.agency_a, created_by=world.clerk_a, subject="Về việc tuyển dụng viên chức"
    )
    # when it is indexed again, then changed and indexed again
    index_document(document.pk)
    assert found(world, "tuyen dung", document)
    Document.objects.filter(pk=document.pk).update(subject="Về việc nâng lương")
    index_document(document.pk)
    # then one row, with the new words only
    assert SearchEntry.objects.filter(document_id=document.pk).count() == 1
    if connection.vendor == "sqlite":
        assert fts_rows(document.pk) == 1
    assert found(world, "nang luong", document)
    assert not found(world, "tuyen dung", document)


def test_schedule_index_indexes_after_commit_only(
    world: World, on_commit: Callable[[], Any]
) -> None:
    # given a document changed inside a transaction that schedules its indexing
    document = make_document(
        agency=world.agency_a, created_by=world.clerk_a, subject="Chưa có", index=False
    )
    with on_commit() as callbacks, transaction.atomic():
        Document.objects.filter(pk=document.pk).update(subject="Về việc phòng chống bão lũ")
        schedule_index(document.pk)
        # then nothing is indexed before the commit
        assert not SearchEntry.objects.filter(document_id=document.pk).exists()
    # and the task ran after it
    assert len(callbacks) == 1
    assert found(world, "bao lu", document)


def test_a_rolled_back_change_is_not_indexed(world: World, on_commit: Callable[[], Any]) -> None:
    document = make_document(
        agency=world.agency_a, created_by=world.clerk_a, subject="Trước", index=False
    )
    with on_commit() as callbacks:
        try:
            with transaction.atomic():
                schedule_index(document.pk)
                raise RuntimeError("rollback")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not SearchEntry.objects.filter(document_id=document.pk).exists()


def test_a_reason_whose_parameters_are_missing_still_reads() -> None:
    from tinhso.documents.search.reasons import ocr_message, reason_message

    assert reason_message("too_large", {}).startswith("Tệp quá lớn để đọc nội dung")
    assert reason_message("malformed", {"type": "application/pdf"}).startswith("Tệp PDF bị hỏng")
    assert reason_message("no-such-reason") == "" and ocr_message("") == ""
