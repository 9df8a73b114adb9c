"""The calendar's pages, per role: anonymous, citizen, official, agency and provincial admins."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from tinhso.accounts.models import Role, User
from tinhso.audit.models import AuditEvent
from tinhso.organizations.models import Agency
from tinhso.testing.factories import official
from tinhso.workcalendar.models import CalendarDay, DayKind, DaySource, WorkingHours
from tinhso.workcalendar.tests.factories import make_agency, make_citizen

pytestmark = pytest.mark.usefixtures("seeded")

Login = Callable[[User], Client]

ALL_PAGES = [
    ("workcalendar:calendar", {}),
    ("workcalendar:deadline", {}),
    ("workcalendar:day_list", {}),
    ("workcalendar:day_add", {}),
    ("workcalendar:day_edit", {"year": 2024, "month": 5, "day": 4}),
    ("workcalendar:day_remove", {"year": 2024, "month": 5, "day": 4}),
    ("workcalendar:working_hours", {}),
    ("workcalendar:working_hours_province", {}),
]
ADMIN_PAGES = ALL_PAGES[2:]
PROVINCE_ONLY_PAGES = [*ALL_PAGES[2:6], ALL_PAGES[7]]


@pytest.mark.parametrize(("name", "kwargs"), ALL_PAGES)
def test_anonymous_is_sent_to_login(client: Client, name: str, kwargs: dict[str, int]) -> None:
    url = reverse(name, kwargs=kwargs)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", ["workcalendar:calendar", "workcalendar:deadline"])
def test_citizen_is_refused(client: Client, name: str) -> None:
    client.force_login(make_citizen())
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize(("name", "kwargs"), ADMIN_PAGES)
def test_specialist_is_refused_administration(
    login: Login, specialist_a: User, name: str, kwargs: dict[str, int]
) -> None:
    assert login(specialist_a).get(reverse(name, kwargs=kwargs)).status_code == 403


@pytest.mark.parametrize(("name", "kwargs"), PROVINCE_ONLY_PAGES)
def test_agency_administrator_is_refused_the_province_calendar(
    login: Login, admin_a: User, name: str, kwargs: dict[str, int]
) -> None:
    assert login(admin_a).get(reverse(name, kwargs=kwargs)).status_code == 403


def test_administrator_without_second_factor_is_sent_to_it(
    client: Client, province_admin: User
) -> None:
    client.force_login(province_admin)
    response = client.get(reverse("workcalendar:day_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor"))


# --- Year view ------------------------------------------------------------------------------


def test_year_view_marks_days_with_text_and_legend(login: Login, specialist_a: User) -> None:
    # when
    response = login(specialist_a).get(reverse("workcalendar:calendar"), {"year": 2024})

    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert "Lịch làm việc năm 2024" in html
    assert "Ngày làm bù cho ngày nghỉ 29/04/2024" in html
    assert "Ngày nghỉ (thay cho ngày 04/05/2024)" in html
    assert 'class="wc-legend' in html
    assert html.count('<th scope="col"><abbr') == 7 * 12
    assert '?year=2023"' in html and '?year=2025"' in html
    # No administration links for a specialist.
    assert reverse("workcalendar:day_list") not in html.split('id="main"')[1]


def test_year_outside_the_seed_says_so(login: Login, specialist_a: User) -> None:
    response = login(specialist_a).get(reverse("workcalendar:calendar"), {"year": 2050})
    assert response.status_code == 200
    assert "Năm 2050 chưa có trong lịch làm việc" in response.content.decode()


# --- Deadline preview -----------------------------------------------------------------------


def test_deadline_preview_full_page_and_htmx_partial(login: Login, specialist_a: User) -> None:
    # given
    client = login(specialist_a)
    params = {"start": "2024-04-26T09:00", "amount": "3", "unit": "working_days"}

    # when
    page = client.get(reverse("workcalendar:deadline"), params)
    partial = client.get(reverse("workcalendar:deadline"), params, HTTP_HX_REQUEST="true")

    # then
    assert page.status_code == partial.status_code == 200
    assert "<html" in page.content.decode()
    body = partial.content.decode()
    assert "<html" not in body
    assert 'datetime="2024-05-04T09:00:00+07:00"' in body
    assert 'id="deadline-panel"' in body


def test_deadline_preview_shows_errors_next_to_fields(login: Login, specialist_a: User) -> None:
    response = login(specialist_a).get(
        reverse("workcalendar:deadline"),
        {"start": "2040-01-02T09:00", "amount": "-1", "unit": "working_days"},
    )
    html = response.content.decode()
    assert "Số lượng thời gian không được âm." in html
    assert 'aria-invalid="true"' in html
    response = login(specialist_a).get(
        reverse("workcalendar:deadline"),
        {"start": "2040-01-02T09:00", "amount": "1", "unit": "working_days"},
    )
    assert "Lịch làm việc chỉ có các năm 2015–2035" in response.content.decode()


def test_deadline_preview_with_the_agency_hours(
    login: Login, admin_a: User, specialist_a: User, agency_a: Agency
) -> None:
    # given agency A works 07:30–12:00, 13:00–16:30
    login(admin_a).post(
        reverse("workcalendar:working_hours_edit", kwargs={"agency_id": agency_a.pk}),
        {
            "period1_start": "07:30",
            "period1_end": "12:00",
            "period2_start": "13:00",
            "period2_end": "16:30",
            "legal_reference": "Quyết định 7/QĐ-STN",
        },
    )

    # when
    response = login(specialist_a).get(
        reverse("workcalendar:deadline"),
        {
            "start": "2025-03-10T07:30",
            "amount": "1",
            "unit": "working_days",
            "agency": str(agency_a.pk),
        },
    )

    # then
    assert 'datetime="2025-03-10T16:30:00+07:00"' in response.content.decode()


# --- Special days ---------------------------------------------------------------------------


def test_day_list_shows_a_year_within_a_query_budget(
    login: Login,
    province_admin: User,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    client = login(province_admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("workcalendar:day_list"), {"year": 2024})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Công văn 2450/VPCP-KGVX" in html
    assert "Ngày làm bù" in html
    assert "Tự động (thư viện holidays)" in html


def test_day_list_empty_state(login: Login, province_admin: User) -> None:
    response = login(province_admin).get(reverse("workcalendar:day_list"), {"year": 2090})
    assert "chưa có ngày nghỉ hay ngày làm bù nào" in response.content.decode()


def test_provincial_administrator_adds_a_closure(login: Login, province_admin: User) -> None:
    # when
    response = login(province_admin).post(
        reverse("workcalendar:day_add"),
        {
            "date": "2025-03-12",
            "kind": DayKind.CLOSURE,
            "name": "Nghỉ do bão",
            "legal_reference": "Quyết định 9/QĐ-UBND",
        },
    )

    # then
    assert response.status_code == 302
    day = CalendarDay.objects.get(date=dt.date(2025, 3, 12))
    assert (day.kind, day.source, day.updated_by) == (
        DayKind.CLOSURE,
        DaySource.ADMIN,
        province_admin,
    )
    assert AuditEvent.objects.filter(action="workcalendar.day.set", actor=province_admin).exists()


def test_adding_without_legal_reference_saves_nothing(login: Login, province_admin: User) -> None:
    response = login(province_admin).post(
        reverse("workcalendar:day_add"),
        {
            "date": "2025-03-12",
            "kind": DayKind.CLOSURE,
            "name": "Nghỉ do bão",
            "legal_reference": "",
        },
    )
    assert response.status_code == 400
    assert "Vui lòng nhập căn cứ pháp lý của thay đổi." in response.content.decode()
    assert not CalendarDay.objects.filter(date=dt.date(2025, 3, 12)).exists()
    # the seed fixture may re-seed (and audit) after a transactional test emptied the table
    assert not AuditEvent.objects.exclude(action="workcalendar.seed").exists()


def test_adding_a_make_up_day_on_a_weekday_shows_the_service_error(
    login: Login, province_admin: User
) -> None:
    response = login(province_admin).post(
        reverse("workcalendar:day_add"),
        {
            "date": "2025-03-12",
            "kind": DayKind.MAKEUP_WORKDAY,
            "name": "Làm bù",
            "legal_reference": "QĐ 1",
        },
    )
    assert response.status_code == 400
    assert "Ngày làm bù phải là thứ Bảy hoặc Chủ nhật" in response.content.decode()
    assert not CalendarDay.objects.filter(date=dt.date(2025, 3, 12)).exists()


def test_adding_an_existing_date_points_to_editing(login: Login, province_admin: User) -> None:
    response = login(province_admin).post(
        reverse("workcalendar:day_add"),
        {"date": "2024-05-04", "kind": DayKind.CLOSURE, "name": "x", "legal_reference": "QĐ 1"},
    )
    assert response.status_code == 400
    assert "Ngày này đã có trong lịch" in response.content.decode()
    assert CalendarDay.objects.get(date=dt.date(2024, 5, 4)).kind == DayKind.MAKEUP_WORKDAY


def test_editing_a_day_keeps_its_date(login: Login, province_admin: User) -> None:
    # given
    client = login(province_admin)
    url = reverse("workcalendar:day_edit", kwargs={"year": 2024, "month": 5, "day": 4})
    assert client.get(url).status_code == 200

    # when a changed date is posted, it is ignored (the field is disabled)
    response = client.post(
        url,
        {
            "date": "2024-05-11",
            "kind": DayKind.MAKEUP_WORKDAY,
            "name": "Làm bù cho thứ Hai 29/4",
            "legal_reference": "Công văn 2450/VPCP-KGVX",
        },
    )

    # then
    assert response.status_code == 302
    day = CalendarDay.objects.get(date=dt.date(2024, 5, 4))
    assert day.name == "Làm bù cho thứ Hai 29/4"
    assert not CalendarDay.objects.filter(date=dt.date(2024, 5, 11)).exists()


def test_removal_asks_for_confirmation_and_a_reference(login: Login, province_admin: User) -> None:
    # given
    client = login(province_admin)
    url = reverse("workcalendar:day_remove", kwargs={"year": 2024, "month": 5, "day": 4})

    # when the page is only opened, or posted without a reference
    confirm = client.get(url)
    refused = client.post(url, {"legal_reference": ""})

    # then nothing is removed
    assert confirm.status_code == 200
    assert "Xác nhận gỡ" in confirm.content.decode()
    assert refused.status_code == 400
    assert not CalendarDay.objects.get(date=dt.date(2024, 5, 4)).is_removed

    # when confirmed
    done = client.post(url, {"legal_reference": "Công văn 10/UBND"})

    # then
    assert done.status_code == 302
    assert CalendarDay.objects.get(date=dt.date(2024, 5, 4)).is_removed
    assert client.get(url).status_code == 404


def test_unknown_or_impossible_dates_are_not_found(login: Login, province_admin: User) -> None:
    client = login(province_admin)
    assert client.get("/calendar/days/2025-03-11/edit/").status_code == 404
    assert client.get("/calendar/days/2025-02-30/edit/").status_code == 404


# --- Working hours --------------------------------------------------------------------------


def test_agency_administrator_sees_and_edits_only_their_agency(
    login: Login, admin_a: User, agency_a: Agency, agency_b: Agency
) -> None:
    # given
    client = login(admin_a)

    # when
    listing = client.get(reverse("workcalendar:working_hours"))
    own = client.post(
        reverse("workcalendar:working_hours_edit", kwargs={"agency_id": agency_a.pk}),
        {
            "period1_start": "07:30",
            "period1_end": "11:30",
            "period2_start": "13:00",
            "period2_end": "17:00",
            "legal_reference": "Quyết định 7/QĐ-STN",
        },
    )
    other = client.post(
        reverse("workcalendar:working_hours_edit", kwargs={"agency_id": agency_b.pk}),
        {"period1_start": "07:00", "period1_end": "15:00", "legal_reference": "QĐ 1"},
    )

    # then
    html = listing.content.decode()
    assert agency_a.name in html and agency_b.name not in html
    assert own.status_code == 302
    assert WorkingHours.objects.get(agency=agency_a).periods == [
        ["07:30", "11:30"],
        ["13:00", "17:00"],
    ]
    assert other.status_code == 403
    assert not WorkingHours.objects.filter(agency=agency_b).exists()


def test_invalid_hours_are_shown_and_nothing_saved(
    login: Login, admin_a: User, agency_a: Agency
) -> None:
    response = login(admin_a).post(
        reverse("workcalendar:working_hours_edit", kwargs={"agency_id": agency_a.pk}),
        {
            "period1_start": "07:00",
            "period1_end": "12:00",
            "period2_start": "11:00",
            "period2_end": "14:00",
            "legal_reference": "QĐ 1",
        },
    )
    assert response.status_code == 400
    assert "Buổi 2 bắt đầu trước khi buổi 1 kết thúc." in response.content.decode()
    assert not WorkingHours.objects.exists()
    # the seed fixture may re-seed (and audit) after a transactional test emptied the table
    assert not AuditEvent.objects.exclude(action="workcalendar.seed").exists()


def test_half_filled_period_is_named(login: Login, admin_a: User, agency_a: Agency) -> None:
    response = login(admin_a).post(
        reverse("workcalendar:working_hours_edit", kwargs={"agency_id": agency_a.pk}),
        {"period1_start": "07:00", "period1_end": "", "legal_reference": "QĐ 1"},
    )
    assert response.status_code == 400
    assert "Buổi 1 cần cả giờ bắt đầu và giờ kết thúc." in response.content.decode()


def test_reset_by_the_agency_administrator(login: Login, admin_a: User, agency_a: Agency) -> None:
    client = login(admin_a)
    client.post(
        reverse("workcalendar:working_hours_edit", kwargs={"agency_id": agency_a.pk}),
        {
            "period1_start": "07:30",
            "period1_end": "11:30",
            "period2_start": "13:00",
            "period2_end": "17:00",
            "legal_reference": "QĐ 7",
        },
    )
    response = client.post(
        reverse("workcalendar:working_hours_reset", kwargs={"agency_id": agency_a.pk})
    )
    assert response.status_code == 302
    assert not WorkingHours.objects.filter(agency=agency_a).exists()
    assert (
        client.get(
            reverse("workcalendar:working_hours_reset", kwargs={"agency_id": agency_a.pk})
        ).status_code
        == 405
    )


def test_provincial_administrator_edits_any_agency_and_the_province(
    login: Login, province_admin: User, agency_b: Agency
) -> None:
    client = login(province_admin)
    form = {
        "period1_start": "07:30",
        "period1_end": "11:30",
        "period2_start": "13:30",
        "period2_end": "17:30",
        "legal_reference": "Quyết định 1/QĐ-UBND",
    }
    assert client.post(reverse("workcalendar:working_hours_province"), form).status_code == 302
    assert (
        client.post(
            reverse("workcalendar:working_hours_edit", kwargs={"agency_id": agency_b.pk}), form
        ).status_code
        == 302
    )
    assert WorkingHours.objects.count() == 2
    assert (
        client.get(
            reverse("workcalendar:working_hours_edit", kwargs={"agency_id": 999999})
        ).status_code
        == 404
    )


def test_working_hours_list_is_paginated_within_a_query_budget(
    login: Login,
    province_admin: User,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    # given many agencies, some with their own hours
    agencies = [make_agency() for _ in range(60)]
    for agency in agencies[:5]:
        WorkingHours.objects.create(
            agency=agency, periods=[["07:30", "11:30"], ["13:00", "17:00"]], legal_reference="QĐ"
        )
    client = login(province_admin)

    # when
    with django_assert_max_num_queries(12):
        response = client.get(reverse("workcalendar:working_hours"))

    # then
    html = response.content.decode()
    assert "Trang 1/2" in html
    assert html.count("07:30–11:30") == 5


def test_agency_administrator_of_several_roles_sees_the_link(
    login: Login, agency_a: Agency
) -> None:
    user = official(Role.QUAN_TRI_CO_QUAN, agency=agency_a)
    html = login(user).get(reverse("workcalendar:calendar")).content.decode()
    assert reverse("workcalendar:working_hours") in html
