"""The catalogue's pages: list, version page, draft editor, new version, publication."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from tinhso.procedures.models import Procedure, ProcedureVersion, VersionStatus
from tinhso.procedures.tests.factories import (
    Province,
    create_draft,
    create_published,
    form_payload,
    province_steps,
)
from tinhso.testing.factories import make_citizen

LIST = "/procedures/"


def _detail(code: str, number: int) -> str:
    return reverse("procedures:version_detail", args=[code, number])


def _edit(code: str, number: int) -> str:
    return reverse("procedures:version_edit", args=[code, number])


def test_the_list_shows_the_versions_in_force_and_searches(
    province: Province, specialist_client: Client
) -> None:
    create_published(province, "1.000001", name="Đăng ký khai sinh")
    create_published(province, "1.000002", name="Thành lập hội")
    create_draft(province, "1.000003", name="Dự thảo chưa công bố")

    page = specialist_client.get(LIST).content.decode()
    assert "Đăng ký khai sinh" in page and "Thành lập hội" in page
    assert "Dự thảo chưa công bố" not in page
    assert 'name="status"' not in page  # the status filter is the administrator's

    found = specialist_client.get(LIST, {"q": "khai sinh"}).content.decode()
    assert "Đăng ký khai sinh" in found and "Thành lập hội" not in found


def test_the_filter_answers_htmx_with_the_results_only(
    province: Province, specialist_client: Client
) -> None:
    create_published(province, "1.000001", name="Đăng ký khai sinh")
    response = specialist_client.get(LIST, {"q": "khai"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="procedure-results"')
    assert "<html" not in body and "Đăng ký khai sinh" in body


def test_an_empty_catalogue_says_so(db: None, specialist_client: Client) -> None:
    body = specialist_client.get(LIST).content.decode()
    assert 'data-testid="empty-state"' in body
    assert "Danh mục chưa có thủ tục hành chính nào đang áp dụng." in body
    filtered = specialist_client.get(LIST, {"q": "không có"}).content.decode()
    assert "Không có thủ tục nào khớp với điều kiện lọc." in filtered


def test_citizens_use_the_portal_not_these_pages(client: Client, db: None) -> None:
    client.force_login(make_citizen())
    assert client.get(LIST).status_code == 403


def test_the_administrator_lists_drafts(province: Province, admin_client: Client) -> None:
    create_draft(province, "1.000003", name="Dự thảo chưa công bố")
    body = admin_client.get(LIST, {"status": "draft"}).content.decode()
    assert "Dự thảo chưa công bố" in body and "Dự thảo · phiên bản 1" in body


def test_a_version_page_shows_its_rows_and_the_time_against_the_law(
    province: Province, specialist_client: Client
) -> None:
    version = create_published(province)
    response = specialist_client.get(reverse("procedures:procedure_detail", args=["1.000001"]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Đơn đề nghị thành lập hội" in body and "Mẫu 01.docx" in body
    assert "Lệ phí: 8.000 đồng" in body
    assert (
        "Tổng thời gian các bước: 40 giờ làm việc; thời hạn giải quyết cho phép tối đa 40 giờ"
        in body
    )
    assert "Phòng Tổ chức, biên chế" in body
    assert "version_publish" not in body and "/publish/" not in body
    assert "Tạo phiên bản mới" not in body
    assert _detail("1.000001", version.number) in body


def test_a_draft_is_hidden_from_officials(province: Province, specialist_client: Client) -> None:
    create_draft(province)
    assert specialist_client.get(_detail("1.000001", 1)).status_code == 404
    assert (
        specialist_client.get(reverse("procedures:procedure_detail", args=["1.000001"])).status_code
        == 404
    )


def test_the_administrator_sees_what_a_draft_lacks(
    province: Province, admin_client: Client
) -> None:
    create_draft(province, steps=province_steps(province, process="30"))
    body = admin_client.get(_detail("1.000001", 1)).content.decode()
    assert "Cần hoàn thiện trước khi công bố:" in body
    assert "Tổng thời gian các bước (42 giờ làm việc) vượt thời hạn giải quyết" in body
    assert "Sửa dự thảo" in body and "Công bố" in body


def test_publishing_shows_the_refusal_and_keeps_the_draft(
    province: Province, admin_client: Client
) -> None:
    create_draft(province, components=())
    url = reverse("procedures:version_publish", args=["1.000001", 1])
    response = admin_client.post(url, follow=True)
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == _detail("1.000001", 1)
    assert "Chưa công bố được phiên bản 1:" in body
    assert "Phiên bản chưa có thành phần hồ sơ nào." in body
    assert ProcedureVersion.objects.get().status == VersionStatus.DRAFT


def test_publishing_a_complete_draft(province: Province, admin_client: Client) -> None:
    create_draft(province)
    response = admin_client.post(
        reverse("procedures:version_publish", args=["1.000001", 1]), follow=True
    )
    assert "Đã công bố phiên bản 1" in response.content.decode()
    assert ProcedureVersion.objects.get().status == VersionStatus.PUBLISHED


def test_a_new_version_is_a_copy_opened_in_the_editor(
    province: Province, admin_client: Client
) -> None:
    create_published(province)
    response = admin_client.post(reverse("procedures:version_new", args=["1.000001"]))
    assert response.status_code == 302 and response["Location"] == _edit("1.000001", 2)
    editor = admin_client.get(_edit("1.000001", 2)).content.decode()
    assert "Đơn đề nghị thành lập hội" in editor and "Thẩm định hồ sơ" in editor
    # the version in force now leads to the draft instead of offering another one
    current = admin_client.get(_detail("1.000001", 1)).content.decode()
    assert "Xem dự thảo phiên bản 2" in current and "Tạo phiên bản mới" not in current
    # a second click is refused with the reason, the draft stays the only one
    again = admin_client.post(reverse("procedures:version_new", args=["1.000001"]), follow=True)
    assert "đang có phiên bản dự thảo số 2" in again.content.decode()
    assert ProcedureVersion.objects.count() == 2


def test_editing_a_draft_replaces_its_rows(province: Province, admin_client: Client) -> None:
    create_draft(province)
    payload = form_payload(
        name="Thủ tục thành lập hội (sửa)",
        levels=["province", "commune"],
        components=[
            {"name": "Đơn mới", "originals": "1", "copies": "2", "required": "on", "ORDER": "2"},
            {"name": "Giấy tờ thứ nhất", "originals": "1", "copies": "0", "ORDER": "1"},
            {"name": "Sẽ xóa", "originals": "1", "copies": "0", "DELETE": "on"},
        ],
        fees=[{"name": "Lệ phí", "amount": "8000", "currency": "VND"}],
        steps=[
            {"name": "Tiếp nhận", "kind": "receive", "agency_mode": "fixed",
             "agency": str(province.center.pk), "department_short_name": "TNTKQ",
             "role": "mot_cua", "duration_hours": "4", "ORDER": "1"},
            {"name": "Trả", "kind": "return", "agency_mode": "receiving",
             "role": "mot_cua", "duration_hours": "4", "ORDER": "2"},
        ],
    )  # fmt: skip
    response = admin_client.post(_edit("1.000001", 1), payload)
    assert response.status_code == 302 and response["Location"] == _detail("1.000001", 1)
    version = ProcedureVersion.objects.get()
    assert version.name == "Thủ tục thành lập hội (sửa)"
    assert version.levels == ["province", "commune"]
    assert [(c.name, c.copies, c.required) for c in version.components.all()] == [
        ("Giấy tờ thứ nhất", 0, False),
        ("Đơn mới", 2, True),
    ]
    assert [f.amount for f in version.fees.all()] == [Decimal(8000)]
    assert [(s.name, s.department) for s in version.steps.all()] == [
        ("Tiếp nhận", province.desk),
        ("Trả", None),
    ]


def test_a_bad_draft_is_shown_again_with_the_errors_and_nothing_saved(
    province: Province, admin_client: Client
) -> None:
    create_draft(province)
    payload = form_payload(
        name="",
        processing_time="0",
        components=[{"name": "", "originals": "1", "copies": "1"}],
        steps=[{"name": "Tiếp nhận", "kind": "receive", "agency_mode": "receiving",
                "role": "mot_cua", "duration_hours": "0"}],
    )  # fmt: skip
    response = admin_client.post(_edit("1.000001", 1), payload)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Tên thủ tục không được để trống." in body
    assert "Thời hạn giải quyết phải là số lớn hơn 0." in body
    assert "Tên giấy tờ không được để trống." in body
    assert "Thời gian của bước phải là số giờ lớn hơn 0." in body
    version = ProcedureVersion.objects.get()
    assert version.name == "Thủ tục thành lập hội" and version.components.count() == 2


def test_a_published_version_is_not_edited(province: Province, admin_client: Client) -> None:
    create_published(province)
    response = admin_client.get(_edit("1.000001", 1), follow=True)
    assert response.redirect_chain[-1][0] == _detail("1.000001", 1)
    assert "Chỉ sửa được phiên bản dự thảo." in response.content.decode()


@pytest.mark.parametrize(
    ("code", "message"),
    [("BTP-HCM-277133", "mã thủ tục kiểu cũ"), ("", "Mã thủ tục không được để trống.")],
)
def test_creating_a_procedure_checks_its_code(
    db: None, admin_client: Client, code: str, message: str
) -> None:
    response = admin_client.post(reverse("procedures:procedure_create"), form_payload(code=code))
    assert response.status_code == 200 and message in response.content.decode()
    assert not Procedure.objects.exists()


def test_creating_a_procedure(db: None, admin_client: Client) -> None:
    response = admin_client.post(
        reverse("procedures:procedure_create"), form_payload(code="1.012753.H19")
    )
    assert response.status_code == 302 and response["Location"] == _detail("1.012753.H19", 1)
    assert Procedure.objects.get().name == "Thủ tục thử nghiệm"
