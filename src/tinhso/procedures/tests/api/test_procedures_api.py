"""GET /api/v1/procedures/ and /api/v1/procedures/{code}/."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tinhso.accounts.models import User
from tinhso.procedures.models import ProcedureLevel
from tinhso.procedures.tests.factories import Province, create_draft, create_published
from tinhso.testing.factories import make_citizen

LIST = "/api/v1/procedures/"


def detail(code: str) -> str:
    return f"/api/v1/procedures/{code}/"


@pytest.fixture
def catalogue(province: Province) -> Province:
    for n in range(1, 8):
        create_published(province, f"1.00000{n}", name=f"Thủ tục đăng ký số {n}")
    create_published(
        province, "2.000001", name="Đăng ký khai sinh", field="Hộ tịch",
        levels=(ProcedureLevel.COMMUNE,),
    )  # fmt: skip
    create_draft(province, "3.000001", name="Dự thảo")
    return province


def test_anonymous_gets_401_problem_json(api_client: APIClient, db: None) -> None:
    response = api_client.get(LIST)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")


def test_any_signed_in_account_lists_the_versions_in_force(
    api_client: APIClient, catalogue: Province
) -> None:
    # given a citizen
    api_client.force_authenticate(make_citizen())

    # when the list is read, filtered and paginated
    response = api_client.get(LIST, {"q": "DANG KY", "level": "province", "page_size": "5"})

    # then the versions in force match, 5 a page, in code order
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 7
    assert [row["code"] for row in body["results"]] == [f"1.00000{n}" for n in range(1, 6)]
    assert body["results"][0] == {
        "code": "1.000001",
        "name": "Thủ tục đăng ký số 1",
        "field": "Tổ chức phi chính phủ",
        "levels": ["province"],
        "version": 1,
        "status": "published",
        "processing_time": "5.00",
        "time_unit": "working_days",
        "online_level": "none",
        "competent_agency": "Sở Nội vụ",
        "valid_from": None,
        "valid_to": None,
    }
    assert api_client.get(LIST, {"field": "Hộ tịch"}).json()["count"] == 1


def test_the_list_has_a_fixed_number_of_queries(
    api_client: APIClient, catalogue: Province, specialist: User
) -> None:
    api_client.force_authenticate(specialist)
    api_client.get(LIST)  # the actor's memberships are read once, then kept on the user
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(LIST)
    assert response.json()["count"] == 8
    assert len(queries) == 2  # the count and the page
    few = len(queries)
    create_published(catalogue, "1.000099")
    with CaptureQueriesContext(connection) as queries:
        api_client.get(LIST)
    assert len(queries) == few


def test_drafts_are_for_the_provincial_administrator(
    api_client: APIClient, catalogue: Province, specialist: User, admin: User
) -> None:
    api_client.force_authenticate(specialist)
    refused = api_client.get(LIST, {"status": "draft"})
    assert refused.status_code == 403
    assert "quản trị cấp tỉnh" in refused.json()["detail"]

    api_client.force_authenticate(admin)
    body = api_client.get(LIST, {"status": "draft"}).json()
    assert [row["code"] for row in body["results"]] == ["3.000001"]


def test_a_bad_filter_is_a_400_naming_the_field(api_client: APIClient, specialist: User) -> None:
    api_client.force_authenticate(specialist)
    response = api_client.get(LIST, {"level": "tinh"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"level"}


def test_the_detail_is_the_version_in_force_with_its_rows(
    api_client: APIClient, catalogue: Province, specialist: User
) -> None:
    api_client.force_authenticate(specialist)
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(detail("1.000001"))
    assert response.status_code == 200
    assert len(queries) <= 8
    body = response.json()
    assert (body["code"], body["version"], body["decision_number"]) == ("1.000001", 1, "1/QĐ-TEST")
    assert body["competent_agency_ref"] == {
        "id": catalogue.so.pk,
        "code": "H57.02",
        "name": "Sở Nội vụ",
    }
    assert body["fees"] == [
        {"name": "Lệ phí", "amount": "8000.00", "currency": "VND", "note": "đồng/hồ sơ"}
    ]
    first = body["components"][0]
    assert set(first) == {
        "id",
        "order",
        "name",
        "originals",
        "copies",
        "form",
        "required",
        "reusable",
    }
    assert (first["name"], first["form"], first["originals"]) == (
        "Đơn đề nghị thành lập hội",
        "Mẫu 01.docx",
        1,
    )
    assert [(s["order"], s["kind"], s["role"]) for s in body["steps"]] == [
        (1, "receive", "mot_cua"),
        (2, "process", "chuyen_vien"),
        (3, "approve", "lanh_dao"),
        (4, "return", "mot_cua"),
    ]
    assert body["steps"][0]["agency"]["code"] == "H57.13"
    assert body["steps"][1]["department"]["short_name"] == "TCBC"


@pytest.mark.parametrize("code", ["3.000001", "9.999999", "abc"])
def test_no_version_in_force_is_404(
    api_client: APIClient, catalogue: Province, specialist: User, code: str
) -> None:
    api_client.force_authenticate(specialist)
    response = api_client.get(detail(code))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")
