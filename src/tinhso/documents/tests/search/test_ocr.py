"""OCR of scans with Tesseract's Vietnamese data, through ocrmypdf (the real programs)."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from tinhso.documents.models.search import FileText, OcrStatus
from tinhso.documents.search import file_text_report, schedule_index, search_documents
from tinhso.documents.search.ocr import recognise
from tinhso.documents.tests.search.conftest import (
    PDF,
    PNG,
    World,
    attach,
    make_document,
    scan_image,
    stored_bytes,
)

needs_ocr = pytest.mark.skipif(
    shutil.which("ocrmypdf") is None or shutil.which("tesseract") is None,
    reason="ocrmypdf and tesseract-ocr-vie are not installed",
)

LINES = ["QUYẾT ĐỊNH", "Về việc bổ nhiệm cán bộ", "Ủy ban nhân dân xã Hòa Bình"]


def found(world: World, query: str) -> set[int]:
    return {hit.id for hit in search_documents(world.actor(world.clerk_a), query).hits}


@needs_ocr
def test_a_scanned_pdf_is_read_by_ocr_and_found_the_original_untouched(
    world: World, on_commit: Callable[[], Any]
) -> None:
    # given a registered document whose main file is a scan (an image-only PDF)
    scan = scan_image(LINES, image_format="PDF")
    document = make_document(
        agency=world.agency_a, created_by=world.clerk_a, subject="Văn bản đến", index=False
    )
    stored = attach(document, scan, name="quyet-dinh.pdf", content_type=PDF, index=False)
    # when its registration commits (the service schedules the index task)
    with on_commit(), transaction.atomic():
        schedule_index(document.pk)
    # then the scanned words are searchable, accents or not, and marked in the snippet
    assert document.pk in found(world, "bổ nhiệm cán bộ")
    assert document.pk in found(world, "uy ban nhan dan xa hoa binh")
    (hit,) = search_documents(world.actor(world.clerk_a), "bổ nhiệm").hits
    assert "<mark>bổ</mark> <mark>nhiệm</mark>" in hit.snippet
    text = FileText.objects.get(sha256=stored.sha256)
    assert text.ocr_status == OcrStatus.DONE and text.status == "ok"
    (line,) = file_text_report(document.pk)
    assert line.message == "" and line.chars > 0
    # and the stored original is byte for byte what was received
    assert stored_bytes(stored) == scan
    assert hashlib.sha256(stored_bytes(stored)).hexdigest() == stored.sha256


@needs_ocr
def test_a_scanned_image_is_read_by_ocr(world: World) -> None:
    document = make_document(agency=world.agency_a, created_by=world.clerk_a, subject="Ảnh chụp")
    image = scan_image(["Thông báo lịch tiếp công dân"])
    stored = attach(document, image, name="thong-bao.png", content_type=PNG)
    assert document.pk in found(world, "lich tiep cong dan")
    assert stored_bytes(stored) == image


@needs_ocr
def test_ocr_past_its_time_limit_is_recorded_and_the_rest_is_searchable(
    world: World, settings: Any
) -> None:
    # given a time limit far below what Tesseract needs for a page
    settings.TINHSO_OCR_TIMEOUT_SECONDS = 0.3
    document = make_document(
        agency=world.agency_a, created_by=world.clerk_a, subject="Công văn gửi kèm bản quét"
    )
    scan = scan_image(LINES, image_format="PDF")
    # when the scan is attached
    stored = attach(document, scan, name="ban-quet.pdf", content_type=PDF)
    # then the timeout is recorded with its reason, nothing half-read is indexed
    text = FileText.objects.get(sha256=stored.sha256)
    assert text.ocr_status == OcrStatus.TIMEOUT and text.ocr_text == ""
    (line,) = file_text_report(document.pk)
    assert line.message == "Nhận dạng chữ (OCR) quá thời gian cho phép (0.3 giây)."
    assert document.pk not in found(world, "bổ nhiệm")
    # and the document is still found by its subject, its file unchanged
    assert document.pk in found(world, "cong van ban quet")
    assert stored_bytes(stored) == scan


def test_without_ocrmypdf_the_scan_is_recorded_as_unreadable(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # given a server without ocrmypdf on its PATH
    monkeypatch.setenv("PATH", str(tmp_path))
    document = make_document(
        agency=world.agency_a, created_by=world.clerk_a, subject="Giấy mời hội nghị"
    )
    # when a scan is attached
    attach(document, scan_image(["Giấy mời"]), name="giay-moi.png", content_type=PNG)
    # then it says why, and the document is found by the rest
    (line,) = file_text_report(document.pk)
    assert line.ocr_status == OcrStatus.UNAVAILABLE
    assert line.message == (
        "Máy chủ chưa cài phần mềm nhận dạng chữ (OCR): nội dung bản quét chưa tìm kiếm được."
    )
    assert document.pk in found(world, "giay moi hoi nghi")


@needs_ocr
def test_ocr_under_a_tiny_memory_limit_fails_cleanly() -> None:
    result = recognise(scan_image(["Bộ nhớ"]), "png", seconds=60, memory_mb=24)
    assert result.status == "failed" and result.text == ""
    assert "exit" in result.detail
