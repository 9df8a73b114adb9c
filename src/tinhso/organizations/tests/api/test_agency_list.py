from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tinhso.accounts.models import Role
from tinhso.organizations.models import AgencyLevel
from tinhso.organizations.services import agency_create
from tinhso.testing.factories import make_agencies, make_agency, make_citizen, official

pytestmark = pytest.mark.django_db
URL = "/api/v1/agencies/"


@pytest.fixture
def agencies() -> None:
    ubnd = agency_create(
        actor="system",
        code="H57",
        name="Ủy ban nhân dân thành phố Huế",
        short_name="UBND",
        level=AgencyLevel.PROVINCE,
        kind="ubnd",
    )
    for n in range(12):
        agency_create(
            actor="system",
            code=f"H57.{19700 + n}",
            name=f"Ủy ban nhân dân xã Hòa Bình {n}",
            short_name="UBND",
            level=AgencyLevel.COMMUNE,
            kind="ubnd",
            parent=ubnd,
        )


def test_anonymous_gets_401_problem_json(api_client: APIClient) -> None:
    # when
    response = api_client.get(URL)

    # then
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["status"] == 401


@pytest.mark.parametrize("kind", ["citizen", "official"])
def test_any_signed_in_account_reads_the_directory(
    api_client: APIClient, agencies: None, kind: str
) -> None:
    # given
    user = make_citizen() if kind == "citizen" else official(Role.VAN_THU)
    api_client.force_authenticate(user)

    # when
    response = api_client.get(URL, {"q": "XÃ HÒA BÌNH 11", "level": "commune"})

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"][0] == {
        "id": body["results"][0]["id"],
        "code": "H57.19711",
        "name": "Ủy ban nhân dân xã Hòa Bình 11",
        "short_name": "UBND",
        "level": "commune",
    }


def test_filter_by_parent_and_paginate(api_client: APIClient, agencies: None) -> None:
    # given
    api_client.force_authenticate(make_citizen())
    parent_id = api_client.get(URL, {"q": "H57", "level": "province"}).json()["results"][0]["id"]

    # when
    response = api_client.get(URL, {"parent": parent_id, "page_size": 5, "page": 2})

    # then
    body = response.json()
    assert body["count"] == 12
    assert len(body["results"]) == 5
    assert body["next"] and body["previous"]


@pytest.mark.parametrize(
    ("params", "field"), [({"level": "hamlet"}, "level"), ({"parent": "abc"}, "parent")]
)
def test_bad_filters_are_400_naming_the_parameter(
    api_client: APIClient, params: dict[str, str], field: str
) -> None:
    # given
    api_client.force_authenticate(make_citizen())

    # when
    response = api_client.get(URL, params)

    # then
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert field in response.json()["errors"]


def test_query_count_does_not_grow_with_the_page(
    api_client: APIClient, django_assert_max_num_queries: object
) -> None:
    # given
    parent = make_agency()
    make_agencies(60, parent=parent)
    api_client.force_authenticate(official(Role.CHUYEN_VIEN))

    # then
    with django_assert_max_num_queries(4):  # type: ignore[operator]
        response = api_client.get(URL)
    assert len(response.json()["results"]) == 50


def test_schema_documents_the_filters(api_client: APIClient) -> None:
    # given
    api_client.force_authenticate(official(Role.CHUYEN_VIEN))

    # when
    schema = api_client.get("/api/v1/schema/", {"format": "json"})

    # then
    operation = schema.json()["paths"]["/api/v1/agencies/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"level", "parent", "q", "page"} <= names
