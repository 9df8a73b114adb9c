from __future__ import annotations

import pytest
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from tinhso.api.pagination import PageNumberPagination
from tinhso.api.problems import problem_exception_handler


def _page(query: dict[str, str]) -> tuple[PageNumberPagination, list[int]]:
    paginator = PageNumberPagination()
    request = Request(APIRequestFactory().get("/api/v1/x/", query))
    page = paginator.paginate_queryset(list(range(500)), request)
    assert page is not None
    return paginator, page


def test_fifty_by_default_with_links_and_count() -> None:
    paginator, page = _page({})
    body = paginator.get_paginated_response(page).data
    assert len(page) == 50 and body["count"] == 500
    assert body["next"].endswith("?page=2") and body["previous"] is None


def test_page_size_is_chosen_up_to_two_hundred() -> None:
    assert len(_page({"page_size": "20"})[1]) == 20
    assert len(_page({"page_size": "1000"})[1]) == 200


def test_a_page_past_the_end_is_a_vietnamese_404() -> None:
    with pytest.raises(Exception) as caught:
        _page({"page": "99"})
    response = problem_exception_handler(caught.value, {"view": None, "request": None})
    assert response is not None and response.status_code == 404
    assert response.data["detail"] == "Trang không hợp lệ: không có trang số 99."
