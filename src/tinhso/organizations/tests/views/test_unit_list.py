from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tinhso.accounts.models import User
from tinhso.organizations.admin_units import read_admin_unit_files
from tinhso.organizations.services import admin_units_import
from tinhso.testing.factories import make_citizen

pytestmark = pytest.mark.django_db
URL = reverse("organizations:unit_list")


def test_empty_state_tells_how_to_import(make_client: Callable[[User | None], Client]) -> None:
    response = make_client(make_citizen()).get(URL)
    assert "manage.py import_admin_units" in response.content.decode()


def test_lists_successors_predecessors_and_validity_with_bounded_queries(
    make_client: Callable[[User | None], Client],
    small_files: dict[str, Path],
    django_assert_max_num_queries: object,
) -> None:
    # given
    admin_units_import(actor="system", data=read_admin_unit_files(**small_files))
    client = make_client(make_citizen())

    # when
    with django_assert_max_num_queries(10):  # type: ignore[operator]
        response = client.get(URL, {"province": "46"})
    old = client.get(URL, {"q": "phu cat", "period": "former"}).content.decode()

    # then
    html = response.content.decode()
    assert "Hình thành từ:" in html and "Phường Phú Hòa" in html
    assert "từ 01/07/2025" in html
    assert "Phường Hải Châu" not in html  # province 48 filtered out
    assert "Sáp nhập vào:" in old and "Phường Kim Long" in old and "một phần" in old
    assert "đến 30/06/2025" in old


def test_unknown_filter_values_are_ignored(make_client: Callable[[User | None], Client]) -> None:
    response = make_client(make_citizen()).get(
        URL, {"province": "zz", "level": "x", "period": "y", "page": "abc"}
    )
    assert response.status_code == 200
    assert response.context["province"] == ""
