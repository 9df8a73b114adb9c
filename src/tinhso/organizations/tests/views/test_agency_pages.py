from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from tinhso.accounts.models import Role, User
from tinhso.audit.models import AuditEvent
from tinhso.organizations.models import Agency, Department
from tinhso.organizations.services import agency_create
from tinhso.testing.factories import (
    make_agencies,
    make_agency,
    make_citizen,
    make_department,
    official,
)

pytestmark = pytest.mark.django_db
LIST = reverse("organizations:agency_list")


def test_list_is_paginated_with_a_bounded_number_of_queries(
    make_client: Callable[[User | None], Client], django_assert_max_num_queries: object
) -> None:
    # given
    parent = make_agency(name="Ủy ban nhân dân thành phố Huế")
    make_agencies(60, parent=parent)
    client = make_client(official(Role.CHUYEN_VIEN))

    # when
    with django_assert_max_num_queries(10):  # type: ignore[operator]
        first = client.get(LIST)
    second = client.get(LIST, {"page": 2})

    # then
    assert first.status_code == 200
    assert len(first.context["page"].object_list) == 50
    assert "Trang 1/2" in first.content.decode()
    assert len(second.context["page"].object_list) == 62 - 50  # with the official's agency
    assert "Ủy ban nhân dân thành phố Huế" in second.content.decode()  # parent column


def test_list_filters_by_level_and_folded_search(
    make_client: Callable[[User | None], Client],
) -> None:
    # given: through the service, which keeps the folded search column
    for code, name, level in (
        ("H57.A5", "Ủy ban nhân dân xã Hoà Bình", "commune"),
        ("H57.A6", "Sở Tư pháp", "province"),
    ):
        agency_create(
            actor="system", code=code, name=name, short_name="X", level=level, kind="khac"
        )
    client = make_client(make_citizen())

    # when
    found = client.get(LIST, {"q": "hoa binh", "level": "commune"})
    none = client.get(LIST, {"q": "hoa binh", "level": "province"})

    # then
    assert [a.code for a in found.context["page"].object_list] == ["H57.A5"]
    assert "Không có cơ quan nào khớp với điều kiện lọc." in none.content.decode()


def test_list_empty_state(make_client: Callable[[User | None], Client]) -> None:
    # given
    client = make_client(make_citizen())

    # when
    response = client.get(LIST)

    # then
    assert "Chưa có cơ quan, đơn vị nào." in response.content.decode()


def test_detail_shows_code_departments_and_sub_agencies(
    make_client: Callable[[User | None], Client], django_assert_max_num_queries: object
) -> None:
    # given
    agency = make_agency(code="H57.A7", name="Sở Nội vụ")
    make_department(agency=agency, name="Văn phòng Sở")
    make_agency(name="Trung tâm Lưu trữ lịch sử", parent=agency)
    client = make_client(official(Role.CHUYEN_VIEN))

    # when
    with django_assert_max_num_queries(10):  # type: ignore[operator]
        response = client.get(reverse("organizations:agency_detail", args=[agency.pk]))

    # then
    html = response.content.decode()
    assert "H57.A7" in html
    assert "Văn phòng Sở" in html
    assert "Trung tâm Lưu trữ lịch sử" in html
    assert reverse("organizations:agency_edit", args=[agency.pk]) not in html


def test_detail_of_missing_agency_is_404(make_client: Callable[[User | None], Client]) -> None:
    response = make_client(official(Role.CHUYEN_VIEN)).get(
        reverse("organizations:agency_detail", args=[999_999])
    )
    assert response.status_code == 404


def test_create_shows_vietnamese_errors_next_to_fields_and_saves_nothing(
    make_client: Callable[[User | None], Client], province_admin: User
) -> None:
    # given
    client = make_client(province_admin)
    before = Agency.objects.count()

    # when
    response = client.post(
        reverse("organizations:agency_create"),
        {
            "code": "57.01",
            "name": "",
            "short_name": "SDL",
            "level": "district",
            "kind": "so",
            "email": "sai",
        },
    )

    # then
    assert response.status_code == 200
    form = response.context["form"]
    assert "không đúng cấu trúc" in form.errors["code"][0]
    assert form.errors["name"] == ["Tên cơ quan không được để trống."]
    assert "không còn chính quyền cấp huyện" in form.errors["level"][0]
    assert form.errors["email"] == ["Thư điện tử “sai” không đúng định dạng."]
    assert 'class="form-control is-invalid"' in response.content.decode()
    assert Agency.objects.count() == before
    assert not AuditEvent.objects.filter(action="organizations.agency_create").exists()


def test_create_with_an_unknown_unit_code_names_the_field(
    make_client: Callable[[User | None], Client], province_admin: User
) -> None:
    # when
    response = make_client(province_admin).post(
        reverse("organizations:agency_create"),
        {
            "code": "H57.Z7",
            "name": "Sở Du lịch",
            "short_name": "SDL",
            "level": "province",
            "kind": "so",
            "admin_unit_code": "99",
        },
    )

    # then
    assert response.context["form"].errors["admin_unit_code"] == [
        "Không tìm thấy đơn vị hành chính đang có hiệu lực với mã số “99”."
    ]
    assert not Agency.objects.filter(code="H57.Z7").exists()


def test_create_redirects_to_the_new_agency(
    make_client: Callable[[User | None], Client], province_admin: User
) -> None:
    # when
    response = make_client(province_admin).post(
        reverse("organizations:agency_create"),
        {
            "code": "H57.Z8",
            "name": "Sở Du lịch",
            "short_name": "SDL",
            "level": "province",
            "kind": "so",
        },
    )

    # then
    agency = Agency.objects.get(code="H57.Z8")
    assert response.status_code == 302
    assert response["Location"] == reverse("organizations:agency_detail", args=[agency.pk])


def test_agency_admin_gets_the_contact_form_only(
    make_client: Callable[[User | None], Client], agency_a: Agency, agency_admin_a: User
) -> None:
    # given
    client = make_client(agency_admin_a)
    url = reverse("organizations:agency_edit", args=[agency_a.pk])

    # when
    page = client.get(url)
    saved = client.post(url, {"address": "23 Tố Hữu", "phone": "0234 3822 102", "name": "Khác"})

    # then
    assert set(page.context["form"].fields) == {"address", "email", "phone"}
    assert saved.status_code == 302
    agency_a.refresh_from_db()
    assert (agency_a.address, agency_a.name) == ("23 Tố Hữu", "Sở Nội vụ")


def test_close_form_requires_a_date(
    make_client: Callable[[User | None], Client], province_admin: User, agency_a: Agency
) -> None:
    # when
    response = make_client(province_admin).post(
        reverse("organizations:agency_close", args=[agency_a.pk]), {"valid_to": ""}
    )

    # then
    assert response.context["form"].errors["valid_to"] == [
        "Ngày kết thúc hoạt động không được để trống."
    ]
    agency_a.refresh_from_db()
    assert agency_a.valid_to is None


def test_department_pages_for_the_agency_admin(
    make_client: Callable[[User | None], Client], agency_a: Agency, agency_admin_a: User
) -> None:
    # given
    client = make_client(agency_admin_a)
    make_department(agency=agency_a, name="Văn phòng Sở")

    # when
    duplicate = client.post(
        reverse("organizations:department_create", args=[agency_a.pk]), {"name": "Văn phòng Sở"}
    )
    created = client.post(
        reverse("organizations:department_create", args=[agency_a.pk]),
        {"name": "Phòng Công chức, viên chức", "short_name": "CCVC"},
    )
    department = Department.objects.get(name="Phòng Công chức, viên chức")
    renamed = client.post(
        reverse("organizations:department_edit", args=[department.pk]),
        {"name": "Phòng Công chức", "short_name": "CC"},
    )

    # then
    assert duplicate.context["form"].errors["name"] == [
        "Cơ quan đã có phòng ban tên “Văn phòng Sở”."
    ]
    assert created.status_code == 302 and renamed.status_code == 302
    department.refresh_from_db()
    assert (department.name, department.is_active) == ("Phòng Công chức", False)


def test_official_of_the_agency_may_not_edit_departments(
    make_client: Callable[[User | None], Client], agency_a: Agency
) -> None:
    # given
    department = make_department(agency=agency_a)
    client = make_client(official(Role.LANH_DAO, agency=agency_a))

    # when
    response = client.post(
        reverse("organizations:department_edit", args=[department.pk]), {"name": "Đổi"}
    )

    # then
    assert response.status_code == 403
    department.refresh_from_db()
    assert department.name != "Đổi"


def test_provincial_admin_edit_form_leaves_closing_to_its_own_page(
    make_client: Callable[[User | None], Client], province_admin: User, agency_a: Agency
) -> None:
    # given
    client = make_client(province_admin)
    url = reverse("organizations:agency_edit", args=[agency_a.pk])

    # when
    page = client.get(url)
    saved = client.post(
        url,
        {
            "code": "h57.a1",
            "name": "Sở Nội vụ thành phố Huế",
            "short_name": "SNV",
            "level": "province",
            "kind": "so",
            "valid_to": "2026-01-01",
        },
    )

    # then
    assert "valid_to" not in page.context["form"].fields
    assert "code" in page.context["form"].fields
    assert saved.status_code == 302
    agency_a.refresh_from_db()
    assert (agency_a.name, agency_a.valid_to) == ("Sở Nội vụ thành phố Huế", None)
