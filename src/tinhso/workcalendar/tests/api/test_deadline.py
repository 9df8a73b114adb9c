from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from tinhso.accounts.models import User
from tinhso.organizations.models import Agency
from tinhso.workcalendar.arithmetic import Period
from tinhso.workcalendar.models import DayKind
from tinhso.workcalendar.services import calendar_day_set, working_hours_set

pytestmark = pytest.mark.usefixtures("seeded")

URL = "/api/v1/calendar/deadline"


def get(client: APIClient, **params: Any) -> Any:
    return client.get(URL, params)


@pytest.mark.parametrize(
    ("params", "due"),
    [
        # 30/4 2024: Monday 29 April swapped for Saturday 4 May.
        (
            {"start": "2024-04-26T09:00:00+07:00", "amount": "3", "unit": "working_days"},
            "2024-05-04T09:00:00+07:00",
        ),
        # Tết 2025, from UTC.
        (
            {"start": "2025-01-24T07:00:00Z", "amount": "1", "unit": "working_days"},
            "2025-02-03T14:00:00+07:00",
        ),
        # 2/9 2025.
        (
            {"start": "2025-08-29T15:00:00+07:00", "amount": "8", "unit": "working_hours"},
            "2025-09-03T15:00:00+07:00",
        ),
        (
            {"start": "2025-08-28T10:00:00+07:00", "amount": "4", "unit": "calendar_days"},
            "2025-09-03T17:00:00+07:00",
        ),
    ],
)
def test_anonymous_caller_gets_the_due_moment(
    api_client: APIClient, params: dict[str, str], due: str
) -> None:
    # when
    response = get(api_client, **params)

    # then
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["due"] == due
    assert body["start"].endswith("+07:00")
    assert set(body) == {"start", "due"}


def test_an_unencoded_plus_in_the_offset_is_understood(api_client: APIClient) -> None:
    response = api_client.get(URL + "?start=2024-04-26T09:00:00+07:00&amount=3&unit=working_days")
    assert response.status_code == 200
    assert response.json()["due"] == "2024-05-04T09:00:00+07:00"


def test_agency_hours_are_used(api_client: APIClient, admin_a: User, agency_a: Agency) -> None:
    # given
    working_hours_set(
        actor=admin_a,
        agency=agency_a,
        periods=[Period(dt.time(7, 30), dt.time(12)), Period(dt.time(13), dt.time(16, 30))],
        legal_reference="QĐ 1",
    )

    # when
    response = get(
        api_client,
        start="2025-03-10T11:00:00+07:00",
        amount=2,
        unit="working_hours",
        agency=agency_a.code,
    )

    # then
    assert response.json()["due"] == "2025-03-10T14:00:00+07:00"


def test_one_tiny_query_per_request(
    api_client: APIClient,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    # given a warm cache
    get(api_client, start="2025-03-10T09:00:00+07:00", amount=1, unit="working_days")

    # when / then
    with django_assert_num_queries(1):
        response = get(api_client, start="2025-03-10T09:00:00+07:00", amount=1, unit="working_days")
    assert response.status_code == 200


def test_credentials_are_not_even_looked_at(
    api_client: APIClient,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    # given a warm cache and a bearer token that does not exist
    get(api_client, start="2025-03-10T09:00:00+07:00", amount=1, unit="working_days")
    api_client.credentials(HTTP_AUTHORIZATION="Bearer no-such-token")

    # when
    with django_assert_num_queries(1):
        response = get(api_client, start="2025-03-10T09:00:00+07:00", amount=1, unit="working_days")

    # then no 401: the endpoint has no authentication at all
    assert response.status_code == 200


def test_an_edit_changes_the_next_answer(api_client: APIClient, province_admin: User) -> None:
    # given
    params = {"start": "2025-03-11T09:00:00+07:00", "amount": 1, "unit": "working_days"}
    assert get(api_client, **params).json()["due"] == "2025-03-12T09:00:00+07:00"

    # when
    calendar_day_set(
        actor=province_admin,
        date=dt.date(2025, 3, 12),
        kind=DayKind.CLOSURE,
        name="Nghỉ do bão",
        legal_reference="QĐ 9",
    )

    # then
    assert get(api_client, **params).json()["due"] == "2025-03-13T09:00:00+07:00"


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({}, {"start", "amount", "unit"}),
        ({"start": "2025-03-10T09:00:00", "amount": "1", "unit": "working_days"}, {"start"}),
        ({"start": "2025-03-10", "amount": "1", "unit": "working_days"}, {"start"}),
        ({"start": "hôm qua", "amount": "1", "unit": "working_days"}, {"start"}),
        ({"start": "2025-03-10T09:00:00Z", "amount": "1.5", "unit": "working_days"}, {"amount"}),
        ({"start": "2025-03-10T09:00:00Z", "amount": "-1", "unit": "working_days"}, {"amount"}),
        ({"start": "2025-03-10T09:00:00Z", "amount": "9" * 30, "unit": "working_days"}, {"amount"}),
        ({"start": "2025-03-10T09:00:00Z", "amount": "2001", "unit": "working_days"}, {"amount"}),
        ({"start": "2025-03-10T09:00:00Z", "amount": "1", "unit": "weeks"}, {"unit"}),
        ({"start": "2014-06-02T09:00:00Z", "amount": "1", "unit": "working_days"}, {"start"}),
        ({"start": "9999-12-31T23:59:59+14:00", "amount": "1", "unit": "working_days"}, {"start"}),
        ({"start": "2035-12-20T09:00:00Z", "amount": "30", "unit": "working_days"}, {"amount"}),
        (
            {
                "start": "2025-03-10T09:00:00Z",
                "amount": "1",
                "unit": "working_days",
                "agency": "H99",
            },
            {"agency"},
        ),
    ],
)
def test_bad_parameters_give_a_vietnamese_problem(
    api_client: APIClient, params: dict[str, str], errors: set[str]
) -> None:
    # when
    response = get(api_client, **params)

    # then
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 400
    assert body["title"] == "Dữ liệu không hợp lệ"
    assert set(body["errors"]) == errors
    assert all(message for messages in body["errors"].values() for message in messages)


def test_messages_say_what_is_wrong(api_client: APIClient) -> None:
    response = get(api_client, start="2025-03-10T09:00:00", amount="-2", unit="tuần")
    assert response.json()["errors"] == {
        "start": ["Thiếu độ lệch múi giờ (ví dụ +07:00 hoặc Z) sau giờ."],
        "amount": ["Số lượng thời gian không được âm."],
        "unit": [
            "Đơn vị “tuần” không hợp lệ; chọn working_days, working_hours hoặc calendar_days."
        ],
    }
    outside = get(api_client, start="2040-01-02T09:00:00+07:00", amount="1", unit="working_days")
    assert outside.json()["errors"] == {
        "start": ["Lịch làm việc chỉ có các năm 2015–2035; thời điểm bắt đầu nằm ngoài khoảng này."]
    }


def test_documented_in_the_openapi_schema(api_client: APIClient, specialist_a: User) -> None:
    # given
    api_client.force_login(specialist_a)

    # when
    response = api_client.get("/api/v1/schema/", {"format": "json"})

    # then
    assert response.status_code == 200
    schema = response.json()
    operation = schema["paths"]["/api/v1/calendar/deadline"]["get"]
    names = {p["name"]: p for p in operation["parameters"]}
    assert set(names) == {"start", "amount", "unit", "agency"}
    assert set(names["unit"]["schema"]["enum"]) == {
        "working_days",
        "working_hours",
        "calendar_days",
    }
    assert names["start"]["required"] and not names["agency"].get("required", False)
    assert {"200", "400"} <= set(operation["responses"])
    assert operation.get("security", [{}]) in ([], [{}])
    problem = operation["responses"]["400"]["content"]["application/problem+json"]
    assert problem["schema"]["$ref"] == "#/components/schemas/ProblemDetails"
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert set(schema["components"]["schemas"][ok.rsplit("/", 1)[1]]["properties"]) == {
        "start",
        "due",
    }
