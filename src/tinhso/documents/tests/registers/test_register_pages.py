"""The register pages: the list with counts and the empty state, the downloads, the messages of
a bad period, and who may open each page."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tinhso.accounts.models import User
from tinhso.documents.tests.registers.test_registers import text_of
from tinhso.documents.tests.registers.world import World, local

pytestmark = pytest.mark.django_db

MAY: dict[str, Any] = {"date_from": "2026-05-01", "date_to": "2026-05-31"}


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_list_page_shows_registers_counts_and_buttons(w: World) -> None:
    w.incoming_doc(at=local(2026, 5, 4))
    w.incoming_doc(at=local(2026, 5, 5))
    response = client_for(w.clerk).get(reverse("documents:register_list"), MAY)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sổ văn bản đến" in html and "Sổ văn bản đi" in html
    assert "In sổ (PDF)" in html and "Xuất Excel" in html
    rows = {(r.name, c) for t in response.context["tables"] for r, c in t["rows"]}
    assert rows == {("Sổ văn bản đến", 2), ("Sổ văn bản đi", 0)}
    assert not response.context["empty"]
    # another agency's registers are not offered
    assert "Sở Tài chính Thử Nghiệm" not in html


def test_list_page_empty_state(w: World) -> None:
    response = client_for(w.leader).get(
        reverse("documents:register_list"), {"date_from": "2026-01-01", "date_to": "2026-01-31"}
    )
    assert response.status_code == 200
    assert response.context["empty"]
    assert "Không có văn bản nào được vào sổ trong kỳ đã chọn." in response.content.decode()


def test_list_page_defaults_to_this_month(w: World) -> None:
    response = client_for(w.clerk).get(reverse("documents:register_list"))
    assert response.status_code == 200
    period = response.context["period"]
    assert period.first.day == 1 and period.last >= period.first
    assert response.context["query"]["register"].value() == f"incoming:{w.agency.pk}"


def test_pdf_and_xlsx_downloads(w: World) -> None:
    w.incoming_doc(at=local(2026, 5, 4), subject="Về việc nâng lương thường xuyên")
    clerk = client_for(w.clerk)
    query: dict[str, Any] = {**MAY, "register": f"incoming:{w.agency.pk}"}

    pdf = clerk.get(reverse("documents:register_pdf"), query)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("inline;")
    assert "so-van-ban-den" in pdf["Content-Disposition"]
    text = text_of(pdf.content)
    assert "Về việc nâng lương thường xuyên" in text and "SỞ NỘI VỤ THỬ NGHIỆM" in text

    xlsx = clerk.get(reverse("documents:register_xlsx"), {**query, "register": w.incoming.pk})
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in xlsx["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(body(xlsx))).worksheets[0]
    assert sheet["F5"].value == "Công văn – Về việc nâng lương thường xuyên"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (
            {"date_from": "2026-05-31", "date_to": "2026-05-01"},
            "date_from",
            "Từ ngày (31/05/2026) phải trước hoặc cùng Đến ngày (01/05/2026).",
        ),
        (
            {"date_from": "2025-01-01", "date_to": "2026-06-30"},
            "date_to",
            "Mỗi lần in sổ tối đa một năm (366 ngày); kỳ đã chọn dài 546 ngày, hãy chia thành "
            "nhiều kỳ.",
        ),
        (
            {"date_from": "ngày đầu", "date_to": "2026-05-01"},
            "date_from",
            "Ngày không hợp lệ (định dạng dd/mm/yyyy hoặc yyyy-mm-dd).",
        ),
        ({"date_from": "", "date_to": "2026-05-01"}, "date_from", "Cần chọn ngày."),
        ({**MAY, "register": "sổ nào"}, "register", "Sổ văn bản đã chọn không hợp lệ."),
        ({**MAY, "register": ""}, "register", "Cần chọn sổ văn bản."),
    ],
)
@pytest.mark.parametrize("route", ["documents:register_pdf", "documents:register_xlsx"])
def test_bad_query_comes_back_with_the_message(
    w: World, route: str, query: dict[str, str], field: str, message: str
) -> None:
    response = client_for(w.clerk).get(
        reverse(route), {"register": f"incoming:{w.agency.pk}", **query}
    )
    assert response.status_code == 400
    assert response.context["query"].errors[field] == [message]
    assert message in response.content.decode()


def test_too_many_rows_for_a_pdf_is_explained(w: World, settings: Any) -> None:
    settings.TINHSO_REGISTER_PDF_MAX_ROWS = 1
    w.incoming_doc(at=local(2026, 5, 4))
    w.incoming_doc(at=local(2026, 5, 5))
    response = client_for(w.clerk).get(
        reverse("documents:register_pdf"), {**MAY, "register": w.incoming.pk}
    )
    assert response.status_code == 400
    assert "hoặc xuất tệp Excel" in response.context["query"].errors["date_to"][0]


# --- Access -------------------------------------------------------------------------------

ROUTES = ["documents:register_list", "documents:register_pdf", "documents:register_xlsx"]


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("clerk", 200),
        ("leader", 200),
        ("head", 403),  # a leader of a department is no agency leader
        ("specialist", 403),
        ("clerk_b", 404),  # reads registers, not agency A's
        ("specialist_b", 403),
        ("citizen", 403),
        ("anonymous", 302),
    ],
)
def test_access_matrix(w: World, route: str, who: str, expected: int) -> None:
    user = None if who == "anonymous" else getattr(w, who)
    query: dict[str, Any] = {**MAY, "register": w.incoming.pk}
    response = client_for(user).get(reverse(route), query)
    if route == "documents:register_list" and who == "clerk_b":
        # the list is clerk B's own: A's register is neither counted nor offered
        assert response.status_code == 200
        assert "Sở Nội vụ Thử Nghiệm" not in response.content.decode()
        return
    assert response.status_code == expected
    if who == "anonymous":
        assert reverse("accounts:login") in response["Location"]


def test_another_agencys_direction_is_hidden(w: World) -> None:
    response = client_for(w.clerk_b).get(
        reverse("documents:register_xlsx"), {**MAY, "register": f"incoming:{w.agency.pk}"}
    )
    assert response.status_code == 404
