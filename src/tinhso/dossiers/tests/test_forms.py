"""The official one-stop forms: what each prints, when it may be issued, the tracking book in PDF
and Excel, the marks of Mẫu 01, who may download them, and that printing stays offline."""

from __future__ import annotations

import datetime as dt
import io
import re
import threading
import unicodedata
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from barcode.charsets import code128
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from pypdf import PdfReader
from rest_framework.test import APIClient

from tinhso.accounts.models import Role, User
from tinhso.accounts.two_factor import requires_two_factor
from tinhso.dossiers import notify
from tinhso.dossiers.forms import marks, printing
from tinhso.dossiers.forms.book import XLSX_COLUMNS, tracking_book_xlsx
from tinhso.dossiers.forms.registry import (
    REGISTRY,
    FormKind,
    FormNotApplicable,
    FormNotFound,
    applicable_forms,
    form_spec,
)
from tinhso.dossiers.forms.render import (
    book_position,
    form_html,
    html_to_pdf,
    render_form,
    render_tracking_book,
)
from tinhso.dossiers.models import Dossier, RuleSet
from tinhso.dossiers.rules import Action
from tinhso.dossiers.services import ActionInput, ComponentInput, dossier_act, dossier_receive
from tinhso.testing.factories import official
from tinhso.testing.onestop import OneStopWorld, local, onestop_world, upload

pytestmark = pytest.mark.django_db

DUE_AS_PRINTED = "09 giờ 00 phút, ngày 14 tháng 12 năm 2026"


@pytest.fixture
def w() -> OneStopWorld:
    return onestop_world()


def text_of(pdf: bytes) -> str:
    """The text of a PDF, NFC, with every run of white space made one space."""
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def pages_of(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def _received(w: OneStopWorld, at: dt.datetime | None = None, **overrides: Any) -> Dossier:
    return dossier_receive(actor=w.counter, data=w.receipt(**overrides), now=at or w.monday_9am)[0]


def _refused(w: OneStopWorld) -> Dossier:
    """Incomplete at the counter (Mẫu 02), then refused (Mẫu 03)."""
    data = w.receipt(
        components=[ComponentInput(component=w.component_ids[0], file=upload(w.counter))],
        on_incomplete="request_supplement",
    )
    d, _ = dossier_receive(actor=w.counter, data=data, now=w.monday_9am)
    return dossier_act(
        actor=w.counter,
        code=d.code,
        action=Action.REFUSE,
        data=ActionInput(reason="Thủ tục không thuộc thẩm quyền giải quyết."),
        now=local(2026, 12, 7, 10),
    )


def _apologized(w: OneStopWorld) -> Dossier:
    d = _received(w)
    return dossier_act(
        actor=w.leader,
        code=d.code,
        action=Action.APOLOGIZE,
        data=ActionInput(reason="Chờ ý kiến cơ quan phối hợp", new_due_date=dt.date(2026, 12, 18)),
        now=local(2026, 12, 10, 9),
    )


def _returned(w: OneStopWorld) -> Dossier:
    d = _received(w)
    dossier_act(actor=w.specialist, code=d.code, action=Action.FORWARD, now=local(2026, 12, 8, 10))
    dossier_act(actor=w.leader, code=d.code, action=Action.APPROVE, now=local(2026, 12, 8, 14))
    dossier_act(
        actor=w.counter,
        code=d.code,
        action=Action.PAY,
        data=ActionInput(method="cash", receipt_number="BL-0001"),
        now=local(2026, 12, 8, 15),
    )
    return dossier_act(
        actor=w.counter,
        code=d.code,
        action=Action.RETURN_RESULT,
        data=ActionInput(method="counter"),
        now=local(2026, 12, 8, 16),
    )


def _nd61(w: OneStopWorld) -> Dossier:
    """Received on Monday 2 June 2025, under Nghị định 61/2018."""
    d = _received(w, local(2025, 6, 2, 9))
    assert d.rule_set == RuleSet.ND61_2018
    return d


# --- Pure parts ------------------------------------------------------------------------------


def test_dates_follow_decree_30_leading_zeros() -> None:
    assert printing.long_date(dt.date(2026, 2, 5)) == "ngày 05 tháng 02 năm 2026"
    assert printing.long_date(dt.date(2025, 6, 2)) == "ngày 02 tháng 6 năm 2025"
    assert printing.long_date(dt.date(2026, 12, 14)) == "ngày 14 tháng 12 năm 2026"
    # A moment in UTC is printed in Vietnam time: 17:30 UTC on the 7th is 00:30 on the 8th.
    utc = dt.datetime(2026, 12, 7, 17, 30, tzinfo=dt.UTC)
    assert printing.long_moment(utc) == "00 giờ 30 phút, ngày 08 tháng 12 năm 2026"
    assert printing.short_moment(utc) == "00 giờ 30 phút, ngày 08/12/2026"
    with pytest.raises(ValueError):
        printing.long_moment(dt.datetime(2026, 12, 7, 9))  # naive: the offset is unknown


def test_amounts_quantities_and_places() -> None:
    assert printing.amount(Decimal("1234567")) == "1.234.567"
    assert printing.quantity(Decimal("5.00")) == "5"
    assert printing.quantity(Decimal("2.5")) == "2,5"
    assert printing.place_name("Thành phố Huế") == "Huế"
    assert printing.place_name("Phường Phú Xuân") == "Phú Xuân"
    assert printing.place_line("Huế", dt.date(2026, 1, 9)) == "Huế, ngày 09 tháng 01 năm 2026"


def test_registry_numbers_the_forms_per_rule_set() -> None:
    nd61, nd118 = REGISTRY[RuleSet.ND61_2018], REGISTRY[RuleSet.ND118_2025]
    assert list(nd61) == [f"mau-0{n}" for n in range(1, 7)]
    assert list(nd118) == [f"mau-0{n}" for n in range(1, 8)]
    assert nd61["mau-05"].kind == FormKind.CONTROL and nd61["mau-06"].kind == FormKind.BOOK
    assert nd118["mau-04"].kind == FormKind.EXTENSION and nd118["mau-05"].kind == FormKind.STOP
    assert nd118["mau-06"].kind == FormKind.CONTROL and nd118["mau-07"].kind == FormKind.BOOK
    assert nd61["mau-01"].reference == "Mẫu số 01 – Thông tư 01/2018/TT-VPCP"
    assert nd118["mau-07"].reference == "Mẫu số 07 – Thông tư 03/2025/TT-VPCP"
    with pytest.raises(FormNotFound) as exc:
        form_spec(RuleSet.ND61_2018, "mau-07")
    assert "Thông tư 01/2018/TT-VPCP" in exc.value.message and "mau-06" in exc.value.message


def test_book_position_comes_from_the_code() -> None:
    assert book_position("H99.13-261207-0042") == ("261207", 42)
    assert book_position("000.00.06.H56-231027-0361") == ("231027", 361)


def _decode_code128(svg: str) -> str:
    """Read a Code128 symbol back from the bars of the SVG (the test's own decoder)."""
    bars = [
        (float(x), float(width))
        for x, width in re.findall(r'<rect x="([\d.]+)mm" y="[\d.]+mm" width="([\d.]+)mm"', svg)
    ]
    assert bars, "no bars in the barcode"
    module = min(width for _x, width in bars)
    start = bars[0][0]
    end = max(x + width for x, width in bars)
    bits = ["0"] * round((end - start) / module)
    for x, width in bars:
        first = round((x - start) / module)
        for i in range(first, first + round(width / module)):
            bits[i] = "1"
    modules = "".join(bits)
    assert modules.endswith(code128.STOP + "11")
    symbols = [code128.CODES.index(modules[i : i + 11]) for i in range(0, len(modules) - 13, 11)]
    *values, checksum = symbols
    assert checksum == (values[0] + sum(i * v for i, v in enumerate(values[1:], 1))) % 103
    charset = {103: "A", 104: "B", 105: "C"}[values[0]]
    out = ""
    for value in values[1:]:
        if value in (99, 100, 101) and not (charset == "C" and value == 99):
            charset = {99: "C", 100: "B", 101: "A"}[value]
        elif charset == "C":
            out += f"{value:02d}"
        else:
            out += chr(value + 32)
    return out


def test_barcode_encodes_the_dossier_code() -> None:
    svg = marks.barcode_svg("H99.13-261207-0001")
    assert svg.startswith("<svg") and "<?xml" not in svg and "<!--" not in svg
    assert 'fill="black"' in svg and "style=" not in svg
    assert _decode_code128(svg) == "H99.13-261207-0001"


def test_qr_holds_the_public_tracking_url(w: OneStopWorld, settings: Any) -> None:
    settings.TINHSO_PUBLIC_BASE_URL = "https://dichvucong.example.vn/"
    d = _received(w)
    url = marks.tracking_url(d)
    assert url == notify.public_url(d)
    assert url == f"https://dichvucong.example.vn/dossiers/tra-cuu/?code={d.code}"
    # The symbol printed on Mẫu 01 is the one made from that URL, error correction M.
    symbol = marks.qr_code(url)
    assert symbol.error == "M" and not symbol.is_micro
    html = form_html(d, "mau-01")
    assert marks.qr_svg(url) in html
    assert marks.qr_svg(url) != marks.qr_svg(url.replace("0001", "0002"))


# --- The forms -------------------------------------------------------------------------------


def test_receipt_mau_01_prints_what_the_counter_gave(w: OneStopWorld) -> None:
    d = _received(w)
    text = text_of(render_form(d, "mau-01"))
    for expected in (
        "Mẫu số 01 – Thông tư 03/2025/TT-VPCP",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "TRUNG TÂM PHỤC VỤ HÀNH",
        f"Số: {d.code}/TNHS",
        "Huế, ngày 07 tháng 12 năm 2026",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        f"Mã hồ sơ: {d.code}",
        "Tiếp nhận hồ sơ của: Nguyễn Văn An",
        "Đơn đề nghị (theo mẫu) 1 0",
        "Bản sao giấy tờ tùy thân 0 1",
        "Số lượng hồ sơ: 1 (bộ)",
        "theo quy định là: 5 ngày làm việc",
        "Thời gian nhận hồ sơ: 09 giờ 00 phút, ngày 07 tháng 12 năm 2026",
        f"Thời gian trả kết quả giải quyết hồ sơ: {DUE_AS_PRINTED}",
        "Phí, lệ phí: 50.000 đồng (chưa thanh toán)",
        "Vào Sổ theo dõi hồ sơ, Quyển số: 261207 Số thứ tự: 1",
        "NGƯỜI NỘP HỒ SƠ",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        w.counter.full_name,
    ):
        assert expected in text, expected
    assert printing.long_moment(d.due_at) == DUE_AS_PRINTED  # type: ignore[arg-type]
    # The optional component that was not handed in is not listed.
    assert "Giấy ủy quyền" not in text


def test_printing_is_deterministic(w: OneStopWorld) -> None:
    d = _received(w)
    assert render_form(d, "mau-01") == render_form(d, "mau-01")


def test_nd61_dossier_prints_the_2018_forms(w: OneStopWorld) -> None:
    d = _nd61(w)
    receipt = text_of(render_form(d, "mau-01"))
    assert "Mẫu số 01 – Thông tư 01/2018/TT-VPCP" in receipt and d.code in receipt
    assert "09 giờ 00 phút, ngày 09 tháng 6 năm 2025" in receipt  # 5 working days
    control = text_of(render_form(d, "mau-05"))
    assert "Mẫu số 05 – Thông tư 01/2018/TT-VPCP" in control
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in control and "Nguyễn Văn An" in control
    book = text_of(render_form(d, "mau-06"))
    assert "Mẫu số 06 – Thông tư 01/2018/TT-VPCP" in book and "SỔ THEO DÕI HỒ SƠ" in book
    assert "Từ ngày 02/06/2025 đến ngày 02/06/2025" in book and d.code in book
    d = dossier_act(
        actor=w.leader,
        code=d.code,
        action=Action.APOLOGIZE,
        data=ActionInput(reason="Chờ xác minh", new_due_date=dt.date(2025, 6, 12)),
        now=local(2025, 6, 4, 9),
    )
    apology = text_of(render_form(d, "mau-04"))
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in apology
    assert "Thời gian hẹn trả kết quả lại: ngày 12 tháng 6 năm 2025" in apology
    assert "Lý do: Chờ xác minh" in apology and "SỞ NỘI VỤ" in apology


def test_supplement_and_refusal_slips(w: OneStopWorld) -> None:
    d = _refused(w)
    supplement = text_of(render_form(d, "mau-02"))
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in supplement
    assert f"Số: {d.code}/HDHS" in supplement and "Nguyễn Văn An" in supplement
    # The missing component, with the counts the procedure asks for.
    assert "1 Bản sao giấy tờ tùy thân 0 1" in supplement
    assert "NGƯỜI HƯỚNG DẪN" in supplement
    refusal = text_of(render_form(d, "mau-03"))
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in refusal and d.code in refusal
    assert "Thủ tục không thuộc thẩm quyền giải quyết." in refusal
    assert "Xin thông báo cho Ông/Bà được biết và thực hiện./." in refusal


def test_extension_letter_of_2025(w: OneStopWorld) -> None:
    d = _apologized(w)
    text = text_of(render_form(d, "mau-04"))
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in text
    assert "Mẫu số 04 – Thông tư 03/2025/TT-VPCP" in text
    assert d.code in text and "Nguyễn Văn An" in text and DUE_AS_PRINTED in text
    assert "17 giờ 00 phút, ngày 18 tháng 12 năm 2026" in text
    assert "Lý do: Chờ ý kiến cơ quan phối hợp" in text
    assert "Huế, ngày 10 tháng 12 năm 2026" in text  # the day of the apology


def test_stop_notice_for_a_stop_and_for_a_withdrawal(w: OneStopWorld) -> None:
    stopped = dossier_act(
        actor=w.leader,
        code=_received(w).code,
        action=Action.STOP,
        data=ActionInput(reason="Có tranh chấp"),
        now=local(2026, 12, 8, 9),
    )
    text = text_of(render_form(stopped, "mau-05"))
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text and stopped.code in text
    assert "Lý do: Có tranh chấp" in text
    assert "SỞ NỘI VỤ" in text and "THỦ TRƯỞNG CƠ QUAN" in text  # the agency that stopped it
    withdrawn = dossier_act(
        actor=w.counter,
        code=_received(w).code,
        action=Action.WITHDRAW,
        data=ActionInput(reason="Công dân rút hồ sơ"),
        now=local(2026, 12, 8, 9),
    )
    text = text_of(render_form(withdrawn, "mau-05"))
    assert "Theo đề nghị rút hồ sơ của Ông/Bà" in text and withdrawn.code in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in text


def test_control_slip_has_one_row_per_hand_over(w: OneStopWorld) -> None:
    d = _returned(w)
    text = text_of(render_form(d, "mau-06"))
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert "Mẫu số 06 – Thông tư 03/2025/TT-VPCP" in text
    assert d.code in text and "Nguyễn Văn An" in text and DUE_AS_PRINTED in text
    assert "TÊN CƠ QUAN" in text and "THỜI GIAN GIAO, NHẬN HỒ SƠ" in text
    assert text.count("1. Giao:") == 5 and text.count("2. Nhận:") == 5
    assert "1. Giao: Tổ chức, cá nhân: Nguyễn Văn An" in text
    assert "2. Nhận: Phòng Tổ chức biên chế – Sở Nội vụ" in text
    assert "10 giờ 00 phút, ngày 08/12/2026" in text
    # Outcomes of the steps: receipt on time, transfer early, processing on time, approval
    # early, return early (vn-onestop §2: trước hạn / đúng hạn / quá hạn).
    assert re.findall(r"(Trước hạn|Đúng hạn|Quá hạn)(?! /)", text.split("GHI CHÚ", 1)[1]) == [
        "Đúng hạn",
        "Trước hạn",
        "Đúng hạn",
        "Trước hạn",
    ]


def test_forms_that_do_not_apply_are_refused(w: OneStopWorld) -> None:
    d = _received(w)
    assert [s.slug for s in applicable_forms(d)] == ["mau-01", "mau-06", "mau-07"]
    for slug, words in (
        ("mau-02", "yêu cầu bổ sung"),
        ("mau-03", "từ chối tiếp nhận"),
        ("mau-04", "xin lỗi"),
        ("mau-05", "dừng giải quyết"),
    ):
        with pytest.raises(FormNotApplicable) as exc:
            render_form(d, slug)
        assert words in exc.value.message and d.code in exc.value.message
        assert "Đang xử lý" in exc.value.message
    with pytest.raises(FormNotFound):
        render_form(d, "mau-08")
    pending = dossier_receive(
        actor=w.counter,
        data=w.receipt(
            components=[ComponentInput(component=w.component_ids[0], file=upload(w.counter))],
            on_incomplete="request_supplement",
        ),
        now=w.monday_9am,
    )[0]
    for slug in ("mau-01", "mau-06", "mau-07"):
        with pytest.raises(FormNotApplicable):
            render_form(pending, slug)


def test_applicant_text_is_escaped(w: OneStopWorld) -> None:
    d = _received(w)
    Dossier.objects.filter(pk=d.pk).update(applicant_address='<img src="http://127.0.0.1:9/x">')
    d.refresh_from_db()
    html = form_html(d, "mau-01")
    assert "&lt;img" in html and '<img src="http' not in html


# --- The tracking book -----------------------------------------------------------------------


def _book_world(w: OneStopWorld) -> dict[str, Dossier]:
    """Two dossiers on Monday 7 December, one at 00:30 on Tuesday 8 December (17:30 UTC on the
    7th), one on Wednesday 9 December, and one at a commune's counter on the 7th."""
    commune = dossier_receive(
        actor=w.commune_counter,
        data=w.receipt(
            procedure_code="1.000002",
            components=[
                ComponentInput(component=c.pk, file=upload(w.commune_counter))
                for c in w.commune_version.components.filter(required=True)
            ],
        ),
        now=w.monday_9am,
    )[0]
    return {
        "first": _returned(w),
        "second": _received(w, local(2026, 12, 7, 14)),
        "night": _received(w, local(2026, 12, 8, 0, 30)),
        "later": _received(w, local(2026, 12, 9, 9)),
        "commune": commune,
    }


def test_tracking_book_pdf_holds_the_period_only(w: OneStopWorld) -> None:
    d = _book_world(w)
    text = text_of(render_tracking_book(w.center, dt.date(2026, 12, 7), dt.date(2026, 12, 7)))
    assert "SỔ THEO DÕI HỒ SƠ" in text and "Mẫu số 07 – Thông tư 03/2025/TT-VPCP" in text
    assert "Từ ngày 07/12/2026 đến ngày 07/12/2026" in text
    assert d["first"].code in text and d["second"].code in text
    for other in ("night", "later", "commune"):
        assert d[other].code not in text, other
    # The returned dossier: received, due, transferred, result received and returned.
    assert "07/12/2026 09:00 14/12/2026 09:00 07/12/2026 08/12/2026 08/12/2026" in text
    two_days = text_of(render_tracking_book(w.center, dt.date(2026, 12, 8), dt.date(2026, 12, 9)))
    assert d["night"].code in two_days and d["later"].code in two_days
    assert d["first"].code not in two_days
    empty = text_of(render_tracking_book(w.commune, dt.date(2026, 12, 8), dt.date(2026, 12, 8)))
    assert "Không có hồ sơ nào được tiếp nhận trong kỳ." in empty


def test_tracking_book_xlsx_reads_back(w: OneStopWorld) -> None:
    from openpyxl import load_workbook

    d = _book_world(w)
    content = tracking_book_xlsx(w.center, dt.date(2026, 12, 7), dt.date(2026, 12, 8))
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2] == tuple(header for header, _width in XLSX_COLUMNS)
    assert sheet.freeze_panes == "A4"
    data = rows[3:]
    assert [row[1] for row in data] == [d["first"].code, d["second"].code, d["night"].code]
    first = data[0]
    assert first[0] == 1 and first[3] == 1 and first[5] == "Sở Nội vụ"
    assert first[4] == "Nguyễn Văn An; 12 Lê Lợi, phường Thuận Hóa; 0912345678"
    assert first[6] == dt.datetime(2026, 12, 7) and first[7] == dt.datetime(2026, 12, 14)
    assert first[10] == dt.datetime(2026, 12, 8)  # returned
    assert sheet.cell(row=4, column=7).number_format == "dd/mm/yyyy"
    assert data[2][6] == dt.datetime(2026, 12, 8)  # 00:30 local on the 8th
    assert data[1][10] is None and data[1][11] == "Đang xử lý"


def test_tracking_book_period_is_checked(w: OneStopWorld, settings: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        render_tracking_book(w.center, dt.date(2026, 12, 8), dt.date(2026, 12, 7))
    assert "to" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        tracking_book_xlsx(w.center, dt.date(2025, 1, 1), dt.date(2026, 1, 2))
    assert "366" in exc.value.message_dict["to"][0]
    assert tracking_book_xlsx(w.center, dt.date(2024, 1, 1), dt.date(2024, 12, 31))  # leap year
    _received(w)
    _received(w)
    settings.TINHSO_TRACKING_BOOK_PDF_MAX_ROWS = 1
    with pytest.raises(ValidationError) as exc:
        render_tracking_book(w.center, dt.date(2026, 12, 7), dt.date(2026, 12, 7))
    assert "Excel" in exc.value.message_dict["to"][0]


def test_tracking_book_reads_rows_in_a_fixed_number_of_queries(
    w: OneStopWorld, django_assert_max_num_queries: Any
) -> None:
    for hour in (9, 10, 11, 14):
        _received(w, local(2026, 12, 7, hour))
    with django_assert_max_num_queries(3):
        tracking_book_xlsx(w.center, dt.date(2026, 12, 7), dt.date(2026, 12, 7))


# --- Offline printing ------------------------------------------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


def test_printing_never_calls_out() -> None:
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        pdf = html_to_pdf(
            f'<html><head><link rel="stylesheet" href="{base}/style.css"></head><body>'
            f'<p>Xin chào</p><img src="{base}/logo.png"><img src="file:///etc/passwd">'
            f'<p style="background: url({base}/bg.png)">.</p></body></html>'
        )
    finally:
        server.shutdown()
        server.server_close()
    assert pdf.startswith(b"%PDF-") and "Xin chào" in text_of(pdf)
    assert _Recorder.requests == []


# --- Pages -----------------------------------------------------------------------------------


def _client(user: User | None) -> Client:
    """A signed-in browser; an administrator has also passed the second factor."""
    client = Client()
    if user is not None:
        client.force_login(user)
        if requires_two_factor(user):
            device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
    return client


def test_form_page_download(w: OneStopWorld) -> None:
    d = _received(w)
    url = reverse("dossiers:form_pdf", args=[d.code, "mau-01"])
    response = _client(w.counter).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{d.code}-mau-01.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert d.code in text_of(response.content)
    # The specialist of the department the dossier reached sees it too.
    assert _client(w.specialist).get(url).status_code == 200


def test_form_page_access(w: OneStopWorld) -> None:
    d = _received(w)
    url = reverse("dossiers:form_pdf", args=[d.code, "mau-01"])
    assert _client(w.other_commune_counter).get(url).status_code == 404
    assert _client(w.commune_specialist).get(url).status_code == 404
    anonymous = _client(None).get(url)
    assert anonymous.status_code == 302 and reverse("accounts:login") in anonymous["Location"]


def test_form_page_explains_a_form_that_does_not_apply(w: OneStopWorld) -> None:
    d = _received(w)
    response = _client(w.counter).get(reverse("dossiers:form_pdf", args=[d.code, "mau-03"]))
    assert response.status_code == 409
    body = response.content.decode()
    assert "chỉ lập khi hồ sơ bị từ chối tiếp nhận" in body
    assert reverse("dossiers:form_pdf", args=[d.code, "mau-01"]) in body
    missing = _client(w.counter).get(reverse("dossiers:form_pdf", args=[d.code, "mau-09"]))
    assert missing.status_code == 404


def test_book_number_of_a_dossier_is_for_book_readers_only(w: OneStopWorld) -> None:
    d = _nd61(w)
    url = reverse("dossiers:form_pdf", args=[d.code, "mau-06"])
    response = _client(w.counter).get(url)
    assert response.status_code == 200 and "SỔ THEO DÕI HỒ SƠ" in text_of(response.content)
    # The specialist sees the dossier, not the counter's book of everyone received that day.
    assert (
        _client(w.specialist).get(reverse("dossiers:form_pdf", args=[d.code, "mau-05"])).status_code
        == 200
    )
    assert _client(w.specialist).get(url).status_code == 403


def test_tracking_book_pages(w: OneStopWorld) -> None:
    d = _received(w)
    counter = _client(w.counter)
    page = counter.get(reverse("dossiers:form_tracking_book"))
    assert page.status_code == 200
    assert "Trung tâm Phục vụ hành chính công" in page.content.decode()
    query: dict[str, str | int] = {"agency": w.center.pk, "from": "2026-12-07", "to": "2026-12-07"}
    pdf = counter.get(reverse("dossiers:form_tracking_book_pdf"), query)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert (
        pdf["Content-Disposition"] == 'inline; filename="so-theo-doi-H99.13-20261207-20261207.pdf"'
    )
    assert d.code in text_of(pdf.content)
    xlsx = counter.get(reverse("dossiers:form_tracking_book_xlsx"), {**query, "from": "07/12/2026"})
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert xlsx["Content-Disposition"].startswith("attachment;")
    # The counter reads only its own agency's book: the agency may be left out.
    assert (
        counter.get(reverse("dossiers:form_tracking_book_pdf"), {**query, "agency": ""}).status_code
        == 200
    )
    bad = counter.get(reverse("dossiers:form_tracking_book_pdf"), {**query, "to": "2026-12-01"})
    assert bad.status_code == 400
    assert "Ngày kết thúc phải từ ngày bắt đầu trở đi." in bad.content.decode()


def test_tracking_book_access(w: OneStopWorld) -> None:
    query: dict[str, str | int] = {"agency": w.center.pk, "from": "2026-12-07", "to": "2026-12-07"}
    url = reverse("dossiers:form_tracking_book_pdf")
    center_leader = official(Role.LANH_DAO, agency=w.center)
    admin = official(Role.QUAN_TRI_TINH, agency=w.so)
    assert _client(center_leader).get(url, query).status_code == 200
    assert _client(admin).get(url, query).status_code == 200
    assert _client(admin).get(url, {**query, "agency": "H99.13"}).status_code == 200
    assert _client(admin).get(url, {**query, "agency": "X99.99"}).status_code == 404
    assert _client(w.commune_counter).get(url, query).status_code == 403
    assert _client(w.specialist).get(url, query).status_code == 403
    assert _client(w.specialist).get(reverse("dossiers:form_tracking_book")).status_code == 403
    assert _client(None).get(url, query).status_code == 302


# --- API -------------------------------------------------------------------------------------


def _api(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_api_form_pdf(w: OneStopWorld) -> None:
    d = _received(w)
    url = reverse("dossier-form", args=[d.code, "mau-01"])
    assert url == f"/api/v1/dossiers/{d.code}/forms/mau-01.pdf"
    response = _api(w.counter).get(url, HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{d.code}-mau-01.pdf"'
    text = text_of(response.content)
    assert d.code in text and DUE_AS_PRINTED in text


def test_api_form_errors(w: OneStopWorld) -> None:
    d = _received(w)
    refused = _api(w.counter).get(reverse("dossier-form", args=[d.code, "mau-03"]))
    assert refused.status_code == 409
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "form_not_applicable"
    assert "Phiếu từ chối tiếp nhận giải quyết hồ sơ" in refused.json()["detail"]
    assert _api(w.counter).get(reverse("dossier-form", args=[d.code, "mau-08"])).status_code == 404
    assert (
        _api(w.other_commune_counter)
        .get(reverse("dossier-form", args=[d.code, "mau-01"]))
        .status_code
        == 404
    )
    assert _api(None).get(reverse("dossier-form", args=[d.code, "mau-01"])).status_code == 401


def test_api_numbers_follow_the_rule_set(w: OneStopWorld) -> None:
    old, new = _nd61(w), _received(w)
    api = _api(w.counter)
    assert "SỔ THEO DÕI HỒ SƠ" in text_of(
        api.get(reverse("dossier-form", args=[old.code, "mau-06"])).content
    )
    assert "PHIẾU KIỂM SOÁT" in text_of(
        api.get(reverse("dossier-form", args=[new.code, "mau-06"])).content
    )
    assert "SỔ THEO DÕI HỒ SƠ" in text_of(
        api.get(reverse("dossier-form", args=[new.code, "mau-07"])).content
    )
    assert api.get(reverse("dossier-form", args=[old.code, "mau-07"])).status_code == 404


def test_api_tracking_book(w: OneStopWorld) -> None:
    d = _received(w)
    api = _api(w.counter)
    query = {"agency": "H99.13", "from": "2026-12-07", "to": "2026-12-07"}
    xlsx = api.get(reverse("dossier-tracking-book", kwargs={"fmt": "xlsx"}), query)
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    pdf = api.get("/api/v1/dossiers/tracking-book.pdf", query, HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200 and d.code in text_of(pdf.content)
    missing = api.get(
        "/api/v1/dossiers/tracking-book.pdf", {"agency": "H99.13", "to": "2026-12-07"}
    )
    assert missing.status_code == 400 and "from" in missing.json()["errors"]
    assert _api(w.specialist).get("/api/v1/dossiers/tracking-book.xlsx", query).status_code == 403
    assert _api(None).get("/api/v1/dossiers/tracking-book.xlsx", query).status_code == 401
