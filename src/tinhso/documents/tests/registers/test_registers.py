"""Printing and exporting the registers: what each column holds, the period, the PDF and the
spreadsheet, the query budget of a long period, and the limits of a PDF."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from openpyxl import load_workbook
from pypdf import PdfReader

from tinhso.accounts.access import actor_for
from tinhso.documents.kinds import Urgency
from tinhso.documents.models import (
    AssignmentRole,
    AssignmentStatus,
    Direction,
    DocumentStatus,
    RecipientState,
    Register,
)
from tinhso.documents.registers import (
    INCOMING_COLUMNS,
    OUTGOING_COLUMNS,
    RegisterBook,
    access_register_book,
    incoming_rows,
    outgoing_rows,
    register_period,
    register_xlsx,
    render_register,
)
from tinhso.documents.tests.registers.world import World, local

pytestmark = pytest.mark.django_db

MAY_2026 = (dt.date(2026, 5, 1), dt.date(2026, 5, 31))


def text_of(pdf: bytes) -> str:
    """The text of a PDF, NFC, with every run of white space made one space."""
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def book(
    w: World, direction: str = Direction.INCOMING, register: Register | None = None
) -> RegisterBook:
    if register is not None:
        return access_register_book(actor_for(w.clerk), register_id=register.pk)
    return access_register_book(actor_for(w.clerk), agency_id=w.agency.pk, direction=direction)


def xlsx_rows(content: bytes, sheet: int = 0) -> tuple[Any, list[tuple[Any, ...]]]:
    workbook = load_workbook(io.BytesIO(content))
    ws = workbook.worksheets[sheet]
    return ws, list(ws.iter_rows(values_only=True))


def export(w: World, b: RegisterBook, first: dt.date, last: dt.date) -> bytes:
    out = io.BytesIO()
    register_xlsx(b, first, last, out)
    return out.getvalue()


# --- Period -----------------------------------------------------------------------------------


def test_period_is_checked_with_vietnamese_messages() -> None:
    with pytest.raises(ValidationError) as exc:
        register_period(dt.date(2026, 5, 10), dt.date(2026, 5, 1))
    assert exc.value.message_dict["date_from"] == [
        "Từ ngày (10/05/2026) phải trước hoặc cùng Đến ngày (01/05/2026)."
    ]
    with pytest.raises(ValidationError) as exc:
        register_period(dt.date(2025, 1, 1), dt.date(2026, 1, 2))
    assert "tối đa một năm (366 ngày)" in exc.value.message_dict["date_to"][0]
    assert "367 ngày" in exc.value.message_dict["date_to"][0]
    with pytest.raises(ValidationError) as exc:
        register_period(None, None)
    assert set(exc.value.message_dict) == {"date_from", "date_to"}
    # A leap year fits; one day fits.
    assert register_period(dt.date(2024, 1, 1), dt.date(2024, 12, 31)).last.day == 31
    assert register_period(dt.date(2026, 5, 1), dt.date(2026, 5, 1)).first.day == 1


# --- Incoming -----------------------------------------------------------------------------


def test_incoming_rows_follow_the_register_columns(w: World) -> None:
    # given a document routed by the director to the department's specialist
    d = w.incoming_doc(at=local(2026, 5, 4, 8, 30), subject="Về việc cử cán bộ đi học")
    w.assign(d, w.leader, at=local(2026, 5, 4, 9), presentation=True)
    w.assign(d, w.specialist, at=local(2026, 5, 5, 10), department=w.department)
    w.assign(d, w.other_specialist, at=local(2026, 5, 5, 10), role=AssignmentRole.SUPPORT)
    # and one presented only, urgent and recalled
    urgent = w.incoming_doc(
        at=local(2026, 5, 6),
        urgency=Urgency.EXPRESS,
        status=DocumentStatus.RECALLED,
        note="Gọi lại",
    )
    w.assign(urgent, w.leader, at=local(2026, 5, 6, 10), presentation=True)
    # and one whose only processor was withdrawn, kept by its department
    withdrawn = w.incoming_doc(at=local(2026, 5, 7), department=w.other_department)
    w.assign(withdrawn, w.specialist, at=local(2026, 5, 7, 11), status=AssignmentStatus.WITHDRAWN)
    # outside the period, and another agency's
    w.incoming_doc(at=local(2026, 6, 1))
    w.incoming_doc(at=local(2026, 5, 4), register=w.incoming_b)

    rows = list(incoming_rows(w.incoming, register_period(*MAY_2026)))

    assert [r.number for r in rows] == [1, 2, 3]
    first = rows[0]
    assert first.issuer == "Ủy ban nhân dân tỉnh Thừa Thiên Huế"
    assert first.reference == f"{d.number}/UBND-VX"
    assert first.issued_on == dt.date(2026, 5, 2)
    assert first.type_and_subject == "Công văn – Về việc cử cán bộ đi học"
    assert first.receiver == "Phòng Tổ chức cán bộ – Nguyễn Văn Chuyên"
    # handed on when the registry first passed it on: the presentation to the director
    assert first.handed_at == local(2026, 5, 4, 9)
    assert rows[1].receiver == "Trần Thị Ký"
    assert rows[1].note == "Hỏa tốc; Đã thu hồi; Gọi lại"
    assert rows[2].receiver == "Phòng Văn thư lưu trữ"
    assert rows[2].handed_at is None


def test_incoming_pdf_is_the_printed_register(w: World) -> None:
    w.incoming_doc(at=local(2026, 5, 4), subject="Về việc kiện toàn bộ máy Sở Nội vụ")
    w.incoming_doc(at=local(2026, 5, 20), subject="Về việc báo cáo biên chế năm 2026")
    w.incoming_doc(at=local(2026, 6, 2), subject="Văn bản tháng Sáu không in")

    pdf = render_register(book(w), *MAY_2026, printed_at=local(2026, 6, 1, 8))

    text = text_of(pdf)
    assert (
        PdfReader(io.BytesIO(pdf)).pages[0].mediabox.width
        > PdfReader(io.BytesIO(pdf)).pages[0].mediabox.height
    )  # landscape
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in text
    assert "SỞ NỘI VỤ THỬ NGHIỆM" in text and "ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM" in text
    assert "Năm 2026 – từ ngày 01/05/2026 đến ngày 31/05/2026" in text
    assert "Về việc kiện toàn bộ máy Sở Nội vụ" in text
    assert "Về việc báo cáo biên chế năm 2026" in text
    assert "Văn bản tháng Sáu không in" not in text
    for header in ("Ngày đến", "Số đến", "Tác giả", "Đơn vị hoặc người nhận", "Ký nhận"):
        assert header in text
    # the closing block: count, numbers, and room to sign and close
    assert "có 2 văn bản, từ số 01 đến số 02" in text
    assert "Khóa sổ ngày" in text and "NGƯỜI LẬP SỔ" in text and "THỦ TRƯỞNG CƠ QUAN" in text


def test_empty_period_prints_an_empty_register(w: World) -> None:
    text = text_of(render_register(book(w), dt.date(2026, 1, 1), dt.date(2026, 1, 31)))
    assert "Không có văn bản nào được vào sổ trong kỳ." in text
    assert "có 0 văn bản" in text


def test_incoming_xlsx_has_the_header_and_the_rows(w: World) -> None:
    d = w.incoming_doc(at=local(2026, 5, 4, 23, 30), subject="Về việc tổ chức hội nghị")
    w.assign(d, w.specialist, at=local(2026, 5, 5, 8), department=w.department)
    w.incoming_doc(at=local(2026, 5, 9))

    ws, rows = xlsx_rows(export(w, book(w), *MAY_2026))

    assert ws.title == "Sổ văn bản đến"
    assert rows[0][0] == "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN – Sở Nội vụ Thử Nghiệm"
    assert rows[1][0] == "Sổ văn bản đến"
    assert rows[3] == tuple(header for header, _width in INCOMING_COLUMNS)
    assert ws.freeze_panes == "A5"
    data = rows[4:]
    assert len(data) == 2
    first = data[0]
    assert first[0] == dt.datetime(2026, 5, 4)  # 23:30 in Vietnam is still the 4th
    assert first[1] == 1
    assert first[5] == "Công văn – Về việc tổ chức hội nghị"
    assert first[6] == "Phòng Tổ chức cán bộ – Nguyễn Văn Chuyên"
    assert first[7] == dt.datetime(2026, 5, 5)
    assert first[8] is None  # ký nhận: signed on paper
    assert ws.cell(row=5, column=1).number_format == "dd/mm/yyyy"


# --- Outgoing -----------------------------------------------------------------------------


def test_outgoing_rows_and_pdf(w: World) -> None:
    d = w.outgoing_doc(at=local(2026, 5, 11, 15), subject="Về việc phê duyệt kế hoạch")
    w.send_to(d, "Ủy ban nhân dân tỉnh", at=local(2026, 5, 12, 8))
    w.send_to(d, "Sở Tài chính", at=None, state=RecipientState.PENDING)
    undated = w.outgoing_doc(at=local(2026, 5, 13), copies=None, doc_type="CV", notation="SNV-TCCB")

    rows = list(outgoing_rows(w.outgoing, register_period(*MAY_2026)))

    assert [r.reference for r in rows] == [d.reference, undated.reference]
    first = rows[0]
    assert first.reference == "01/QĐ-SNV"
    assert first.type_and_subject == "Quyết định – Về việc phê duyệt kế hoạch"
    assert first.signer == "Trần Thị Ký"
    assert first.recipients == "Ủy ban nhân dân tỉnh; Sở Tài chính"
    assert first.keeper == "Phòng Tổ chức cán bộ – Nguyễn Văn Chuyên"
    assert first.copies == 3
    assert first.handed_at == local(2026, 5, 12, 8)
    # nothing sent yet: handed on when issued
    assert rows[1].handed_at == local(2026, 5, 13)

    text = text_of(render_register(book(w, Direction.OUTGOING), *MAY_2026))
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐI" in text
    assert "Về việc phê duyệt kế hoạch" in text
    assert "Ủy ban nhân dân tỉnh; Sở Tài chính" in text
    for header in ("Người ký", "Nơi nhận văn bản", "Đơn vị, người nhận bản lưu", "Số lượng bản"):
        assert header in text


def test_outgoing_xlsx(w: World) -> None:
    d = w.outgoing_doc(at=local(2026, 5, 11, 15))
    w.send_to(d, "Bộ Nội vụ", at=local(2026, 5, 11, 16))

    _ws, rows = xlsx_rows(export(w, book(w, Direction.OUTGOING), *MAY_2026))

    assert rows[3] == tuple(header for header, _width in OUTGOING_COLUMNS)
    assert rows[4][:8] == (
        "01/QĐ-SNV",
        dt.datetime(2026, 5, 11),
        "Quyết định – Về việc tuyển dụng công chức năm 2026",
        "Trần Thị Ký",
        "Bộ Nội vụ",
        "Phòng Tổ chức cán bộ – Nguyễn Văn Chuyên",
        3,
        dt.datetime(2026, 5, 11),
    )


def test_all_registers_of_a_direction_print_one_section_each(w: World) -> None:
    decisions = Register.objects.create(
        agency=w.agency, direction=Direction.OUTGOING, name="Sổ quyết định", types=["QĐ"]
    )
    w.outgoing_doc(at=local(2026, 5, 4), subject="Công văn trong sổ chung", doc_type="CV")
    w.outgoing_doc(at=local(2026, 5, 5), subject="Quyết định trong sổ riêng", register=decisions)

    all_out = book(w, Direction.OUTGOING)
    assert [r.name for r in all_out.registers] == ["Sổ văn bản đi", "Sổ quyết định"]
    workbook = load_workbook(io.BytesIO(export(w, all_out, *MAY_2026)))
    assert workbook.sheetnames == ["Sổ văn bản đi", "Sổ quyết định"]
    assert workbook["Sổ quyết định"]["C5"].value == "Quyết định – Quyết định trong sổ riêng"
    text = text_of(render_register(all_out, *MAY_2026))
    assert "Công văn trong sổ chung" in text and "Quyết định trong sổ riêng" in text

    only = text_of(render_register(book(w, register=decisions), *MAY_2026))
    assert "Quyết định trong sổ riêng" in only and "Công văn trong sổ chung" not in only


def test_a_register_may_be_asked_for_only_by_its_agency_readers(w: World) -> None:
    with pytest.raises(Http404):
        access_register_book(actor_for(w.clerk), register_id=w.incoming_b.pk)
    with pytest.raises(Http404):
        access_register_book(actor_for(w.clerk), agency_id=w.agency_b.pk, direction="incoming")
    assert access_register_book(actor_for(w.leader), register_id=w.incoming.pk).single


def test_pdf_has_a_row_limit_pointing_to_excel(w: World, settings: Any) -> None:
    settings.TINHSO_REGISTER_PDF_MAX_ROWS = 2
    for day in (4, 5, 6):
        w.incoming_doc(at=local(2026, 5, day))
    with pytest.raises(ValidationError) as exc:
        render_register(book(w), *MAY_2026)
    assert exc.value.message_dict["date_to"] == [
        "Kỳ này có 3 văn bản, quá 2 văn bản cho một bản in PDF: hãy chọn kỳ ngắn hơn (ví dụ "
        "từng tháng) hoặc xuất tệp Excel."
    ]
    # the spreadsheet has no such limit
    _ws, rows = xlsx_rows(export(w, book(w), *MAY_2026))
    assert len(rows) == 4 + 3


# --- Query budget -------------------------------------------------------------------------


@pytest.mark.parametrize("direction", [Direction.INCOMING, Direction.OUTGOING])
def test_export_reads_rows_in_a_fixed_number_of_queries(
    w: World, direction: str, django_assert_num_queries: Any
) -> None:
    def fill(count: int, start: int) -> None:
        for i in range(count):
            at = local(2026, 5, 1 + (start + i) % 28, 8)
            if direction == Direction.INCOMING:
                d = w.incoming_doc(at=at)
                w.assign(d, w.leader, at=at, presentation=True)
                w.assign(d, w.specialist, at=at, department=w.department)
            else:
                d = w.outgoing_doc(at=at)
                w.send_to(d, "Nơi nhận", at=at)
                w.send_to(d, "Nơi nhận khác", at=at)

    b = book(w, direction)
    fill(3, 0)
    # rows of one register: one query for the documents, one for their assignments/recipients
    with django_assert_num_queries(2):
        export(w, b, *MAY_2026)
    fill(30, 3)
    with django_assert_num_queries(2):
        export(w, b, *MAY_2026)
