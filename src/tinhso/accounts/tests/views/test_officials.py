from __future__ import annotations

from typing import Any

from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tinhso.accounts.models import Membership, Role, User
from tinhso.accounts.tests.helpers import confirmed_totp, sign_in
from tinhso.audit.models import AuditEvent
from tinhso.organizations.models import Agency, Department
from tinhso.testing.factories import make_membership, official

LIST = "/accounts/officials/"
NEW = "Mot-mat-khau-moi-2026!"


# --- List ------------------------------------------------------------------------------------


def test_the_list_shows_the_agencys_officials_with_their_roles(
    admin_client: Client, agency_a: Agency, agency_b: Agency, department_a: Department
) -> None:
    # given officials in A (one in a department) and in B
    official(Role.CHUYEN_VIEN, department=department_a, username="a1", full_name="Lê Văn An")
    official(Role.CHUYEN_VIEN, agency=agency_b, username="b1", full_name="Phạm Thị Bình")

    # when A's administrator opens the list
    html = admin_client.get(LIST).content.decode()

    # then A's officials are there, with role and department, B's are not
    assert "Lê Văn An" in html and "Phạm Thị Bình" not in html
    assert f"Chuyên viên — {department_a.name}, {agency_a.name}" in html
    assert f"/accounts/agencies/{agency_a.pk}/officials/new/" in html
    assert 'id="sidebar"' in html
    assert 'name="agency"' not in html  # one agency: nothing to filter on


def test_search_without_diacritics(admin_client: Client, agency_a: Agency) -> None:
    official(Role.CHUYEN_VIEN, agency=agency_a, username="nva", full_name="Nguyễn Văn Ánh")
    official(Role.CHUYEN_VIEN, agency=agency_a, username="ttb", full_name="Trần Thị Bích")
    html = admin_client.get(LIST, {"q": "nguyen anh"}).content.decode()
    assert "Nguyễn Văn Ánh" in html and "Trần Thị Bích" not in html


def test_the_provincial_administrator_filters_by_agency(
    client: Client, provincial_admin: User, agency_a: Agency, agency_b: Agency
) -> None:
    official(Role.CHUYEN_VIEN, agency=agency_a, full_name="Lê Văn An")
    official(Role.CHUYEN_VIEN, agency=agency_b, full_name="Phạm Thị Bình")
    sign_in(client, provincial_admin)
    everyone = client.get(LIST).content.decode()
    only_b = client.get(LIST, {"agency": agency_b.pk}).content.decode()
    assert "Lê Văn An" in everyone and "Phạm Thị Bình" in everyone
    assert 'name="agency"' in everyone
    assert "Chọn một cơ quan trong bộ lọc để thêm cán bộ." in everyone
    assert "Lê Văn An" not in only_b and "Phạm Thị Bình" in only_b
    assert f"/accounts/agencies/{agency_b.pk}/officials/new/" in only_b


def test_an_agency_administrator_cannot_filter_on_another_agency(
    admin_client: Client, agency_b: Agency
) -> None:
    official(Role.CHUYEN_VIEN, agency=agency_b, full_name="Phạm Thị Bình")
    html = admin_client.get(LIST, {"agency": agency_b.pk}).content.decode()
    assert "Phạm Thị Bình" not in html
    assert "Cơ quan đã chọn không có trong danh sách." in html


def test_empty_states(admin_client: Client) -> None:
    html = admin_client.get(LIST, {"q": "khong co ai"}).content.decode()
    assert 'data-testid="empty-state"' in html
    assert "Không có cán bộ nào khớp với điều kiện lọc." in html


def test_the_list_paginates_with_a_bounded_number_of_queries(
    admin_client: Client, agency_a: Agency, django_assert_max_num_queries: Any
) -> None:
    # given 30 officials with two roles each (page size 25)
    for n in range(30):
        user = official(Role.CHUYEN_VIEN, agency=agency_a, username=f"cv{n:02d}")
        make_membership(user=user, agency=agency_a, role=Role.VAN_THU)

    # when the first page is shown, the query count does not grow with the rows
    with django_assert_max_num_queries(12):
        first = admin_client.get(LIST)
    second = admin_client.get(LIST, {"page": 2}).content.decode()

    # then
    assert first.context["page"].paginator.count == 31
    assert len(first.context["page"].object_list) == 25
    assert "Trang 1/2" in first.content.decode() and "Trang 2/2" in second
    assert second.count("<tr>") == 1 + 6  # the header and six officials


# --- Create ----------------------------------------------------------------------------------


def _form(department: Department | None = None, **overrides: Any) -> dict[str, Any]:
    data = {
        "full_name": "Trần Thị Mới",
        "username": "tranthimoi",
        "email": "moi@example.gov.vn",
        "phone": "0912345678",
        "id_number": "",
        "department": department.pk if department else "",
        "role": Role.CHUYEN_VIEN,
        "position": "",
        "password1": NEW,
        "password2": NEW,
    }
    data.update(overrides)
    return data


def test_create_an_official(
    admin_client: Client, agency_a: Agency, department_a: Department
) -> None:
    # given the create page of agency A
    url = f"/accounts/agencies/{agency_a.pk}/officials/new/"
    page = admin_client.get(url).content.decode()
    assert department_a.name in page and "Quản trị cấp tỉnh" not in page

    # when the form is sent
    response = admin_client.post(url, _form(department_a))

    # then the official exists with the membership, and the page shows them
    user = User.objects.get(username="tranthimoi")
    assert response["Location"] == f"/accounts/officials/{user.pk}/"
    assert Membership.objects.get(user=user).department == department_a
    detail = admin_client.get(response["Location"]).content.decode()
    assert "Đã tạo tài khoản tranthimoi cho Trần Thị Mới." in detail


def test_create_errors_are_shown_and_nothing_is_saved(
    admin_client: Client, agency_a: Agency
) -> None:
    # given
    url = f"/accounts/agencies/{agency_a.pk}/officials/new/"
    before = (User.objects.count(), Membership.objects.count(), AuditEvent.objects.count())

    # when the form carries a taken username, a bad phone, a bad id number, mismatched passwords
    response = admin_client.post(
        url,
        _form(username="qt_a", phone="12345", id_number="12", password2="khac-nhau-2026"),
    )

    # then every problem is named next to its field, and nothing was written
    html = response.content.decode()
    assert response.status_code == 200 and 'role="alert"' in html
    assert "Hai lần nhập mật khẩu không khớp nhau." in html
    assert (User.objects.count(), Membership.objects.count(), AuditEvent.objects.count()) == before

    # and once the passwords match, the service's checks speak
    html = admin_client.post(
        url, _form(username="qt_a", phone="12345", id_number="12")
    ).content.decode()
    assert "Tên đăng nhập “qt_a” đã có người dùng; hãy chọn tên khác." in html
    assert "Số điện thoại phải gồm 10 chữ số, bắt đầu bằng số 0 (ví dụ 0912345678)." in html
    assert "Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số." in html
    assert 'id="id_phone_errors"' in html and 'aria-invalid="true"' in html
    assert (User.objects.count(), Membership.objects.count(), AuditEvent.objects.count()) == before


# --- Detail and actions -----------------------------------------------------------------------


def test_detail_offers_what_the_actor_may_do(admin_client: Client, agency_a: Agency) -> None:
    specialist = official(Role.CHUYEN_VIEN, agency=agency_a, full_name="Lê Văn An")
    confirmed_totp(specialist)
    html = admin_client.get(f"/accounts/officials/{specialist.pk}/").content.decode()
    assert "Lê Văn An" in html and "Đã đăng ký" in html
    assert f"/accounts/officials/{specialist.pk}/deactivate/" in html
    assert f"/accounts/officials/{specialist.pk}/two-factor/reset/" in html
    assert f"/accounts/memberships/{specialist.memberships.get().pk}/end/" in html


def test_detail_of_a_shared_official_offers_no_account_actions(
    admin_client: Client, agency_a: Agency, agency_b: Agency
) -> None:
    shared = official(Role.CHUYEN_VIEN, agency=agency_a)
    in_b = make_membership(user=shared, agency=agency_b, role=Role.VAN_THU)
    html = admin_client.get(f"/accounts/officials/{shared.pk}/").content.decode()
    assert "/deactivate/" not in html
    assert f"/accounts/memberships/{in_b.pk}/end/" not in html
    assert agency_b.name in html


def test_add_a_membership(admin_client: Client, agency_a: Agency, department_a: Department) -> None:
    # given a specialist; the administrator has one agency, so it is chosen already
    specialist = official(Role.CHUYEN_VIEN, agency=agency_a)
    url = f"/accounts/officials/{specialist.pk}/memberships/new/"
    assert department_a.name in admin_client.get(url).content.decode()

    # when a second role is granted
    response = admin_client.post(
        url, {"agency": agency_a.pk, "department": department_a.pk, "role": Role.LANH_DAO}
    )

    # then
    assert response.status_code == 302
    assert specialist.memberships.filter(role=Role.LANH_DAO, department=department_a).exists()


def test_a_duplicate_membership_is_explained(admin_client: Client, agency_a: Agency) -> None:
    specialist = official(Role.CHUYEN_VIEN, agency=agency_a)
    response = admin_client.post(
        f"/accounts/officials/{specialist.pk}/memberships/new/",
        {"agency": agency_a.pk, "role": Role.CHUYEN_VIEN},
    )
    assert response.status_code == 200
    assert f"Cán bộ đã có vai trò Chuyên viên tại {agency_a.name}." in response.content.decode()
    assert specialist.memberships.count() == 1


def test_the_provincial_administrator_chooses_the_agency_first(
    client: Client, provincial_admin: User, agency_a: Agency
) -> None:
    specialist = official(Role.CHUYEN_VIEN, agency=agency_a)
    sign_in(client, provincial_admin)
    url = f"/accounts/officials/{specialist.pk}/memberships/new/"
    assert "Chọn cơ quan trước" in client.get(url).content.decode()
    assert "Quản trị cấp tỉnh" in client.get(url, {"agency": agency_a.pk}).content.decode()


def test_end_a_membership_after_confirming(admin_client: Client, agency_a: Agency) -> None:
    # given an official with two roles in A
    specialist = official(Role.CHUYEN_VIEN, agency=agency_a)
    make_membership(user=specialist, agency=agency_a, role=Role.VAN_THU)
    membership = specialist.memberships.get(role=Role.CHUYEN_VIEN)
    url = f"/accounts/memberships/{membership.pk}/end/"

    # when the administrator opens the confirmation, then confirms
    assert "Kết thúc vai trò Chuyên viên" in admin_client.get(url).content.decode()
    membership.refresh_from_db()
    assert membership.is_active  # the GET only asks
    response = admin_client.post(url)

    # then the role ended and the detail page follows; ending again is explained
    assert response["Location"] == f"/accounts/officials/{specialist.pk}/"
    membership.refresh_from_db()
    assert not membership.is_active
    again = admin_client.post(url)
    assert again.status_code == 400
    assert "Vị trí công tác này đã kết thúc trước đó." in again.content.decode()


def test_ending_the_last_role_returns_to_the_list(admin_client: Client, agency_a: Agency) -> None:
    membership = official(Role.CHUYEN_VIEN, agency=agency_a).memberships.get()
    response = admin_client.post(f"/accounts/memberships/{membership.pk}/end/")
    assert response["Location"] == LIST


def test_lock_and_unlock_an_account(admin_client: Client, agency_a: Agency) -> None:
    specialist = official(Role.CHUYEN_VIEN, agency=agency_a)
    their_session = Client()
    their_session.force_login(specialist)
    assert admin_client.post(f"/accounts/officials/{specialist.pk}/deactivate/").status_code == 302
    specialist.refresh_from_db()
    assert not specialist.is_active
    assert their_session.get("/")["Location"].startswith("/accounts/login/")  # signed out
    detail = admin_client.get(f"/accounts/officials/{specialist.pk}/").content.decode()
    assert "Đã khóa" in detail and f"/accounts/officials/{specialist.pk}/reactivate/" in detail
    assert admin_client.post(f"/accounts/officials/{specialist.pk}/reactivate/").status_code == 302
    specialist.refresh_from_db()
    assert specialist.is_active


def test_reset_two_factor(admin_client: Client, agency_a: Agency) -> None:
    specialist = official(Role.CHUYEN_VIEN, agency=agency_a)
    confirmed_totp(specialist)
    response = admin_client.post(f"/accounts/officials/{specialist.pk}/two-factor/reset/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=specialist).exists()
    again = admin_client.post(f"/accounts/officials/{specialist.pk}/two-factor/reset/")
    assert again.status_code == 400
    assert "chưa đăng ký xác thực hai lớp" in again.content.decode()
