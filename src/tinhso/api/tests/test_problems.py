"""Every API error is application/problem+json with a Vietnamese message."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation
from rest_framework.exceptions import ErrorDetail
from rest_framework.test import APIClient

from tinhso.api.problems import _localized, problem_body

pytestmark = pytest.mark.urls("tinhso.api.tests.problem_urls")
BASE = "/api/v1/test/"


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "about:blank" and body["status"] == status
    assert not body["title"].isascii() and not body["detail"].isascii()
    return body  # type: ignore[no-any-return]


def test_400_names_each_field(api_client: APIClient, db: None) -> None:
    # when every field is wrong, one nested in a list
    response = api_client.post(
        BASE + "validation/", {"name": "quá dài", "count": "x", "tags": ["abcd"]}, format="json"
    )

    # then each field carries its message, in Vietnamese even where DRF has none
    body = _problem(response, 400)
    assert body["title"] == "Dữ liệu không hợp lệ"
    assert body["detail"] == "Vui lòng kiểm tra các trường được nêu."
    assert body["code"] == "invalid"
    assert set(body["errors"]) == {"name", "count", "tags"}
    assert body["errors"]["tags"] == {"0": [body["errors"]["tags"]["0"][0]]}
    for messages in (body["errors"]["name"], body["errors"]["count"], body["errors"]["tags"]["0"]):
        assert not messages[0].isascii(), messages


def test_400_for_a_missing_field(api_client: APIClient, db: None) -> None:
    body = _problem(api_client.post(BASE + "validation/", {}, format="json"), 400)
    assert body["errors"]["name"] == ["Trường này là bắt buộc."]


def test_400_for_broken_json(api_client: APIClient, db: None) -> None:
    response = api_client.post(BASE + "validation/", "{broken", content_type="application/json")
    body = _problem(response, 400)
    assert body["code"] == "parse_error"


def test_a_django_validation_error_from_a_service(api_client: APIClient, db: None) -> None:
    field = _problem(api_client.post(BASE + "django-field/"), 400)
    plain = _problem(api_client.post(BASE + "django-plain/"), 400)
    assert field["errors"] == {"code": ["Mã định danh không đúng."]}
    assert plain["detail"] == "Vị trí công tác này đã kết thúc trước đó." and "errors" not in plain


def test_401_with_the_bearer_challenge(api_client: APIClient, db: None) -> None:
    response = api_client.get(BASE + "auth/")
    body = _problem(response, 401)
    assert body["title"] == "Chưa xác thực" and body["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Bearer"


def test_403_keeps_the_reason_of_the_access_function(api_client: APIClient, db: None) -> None:
    body = _problem(api_client.get(BASE + "forbidden/"), 403)
    assert body["title"] == "Không có quyền"
    assert body["detail"] == "Bạn không quản trị cơ quan này."


def test_404(api_client: APIClient, db: None) -> None:
    body = _problem(api_client.get(BASE + "missing/"), 404)
    assert body["title"] == "Không tìm thấy" and body["code"] == "not_found"


def test_405_lists_the_allowed_methods(api_client: APIClient, db: None) -> None:
    response = api_client.post(BASE + "only-get/")
    body = _problem(response, 405)
    assert "POST" in body["detail"]
    assert "GET" in response["Allow"]


def test_409(api_client: APIClient, db: None) -> None:
    body = _problem(api_client.post(BASE + "conflict/"), 409)
    assert body["title"] == "Xung đột trạng thái"
    assert (
        body["detail"] == "Hồ sơ đã được trả kết quả, không thể sửa." and body["code"] == "conflict"
    )


@pytest.mark.parametrize(
    ("message", "code", "expected"),
    [
        ("Ensure this field has no more than 12 characters.", "max_length", "Dài tối đa 12 ký tự."),
        (
            "Ensure this value is greater than or equal to 1.",
            "min_value",
            "Giá trị phải lớn hơn hoặc bằng 1.",
        ),
        ('"x" is not a valid choice.', "invalid_choice", "“x” không phải là một lựa chọn hợp lệ."),
        ("A valid integer is required.", "invalid", "Giá trị không hợp lệ."),
        ("This field may not be null.", "null", "Trường này không được để trống (null)."),
        ("Something new in DRF.", "brand_new_code", "Something new in DRF."),
        ("Đã có tiếng Việt.", "invalid", "Đã có tiếng Việt."),
    ],
)
def test_untranslated_drf_messages_get_vietnamese(message: str, code: str, expected: str) -> None:
    with translation.override("vi"):
        assert _localized(str(ErrorDetail(message, code)), code) == expected


def test_english_users_keep_drf_english() -> None:
    with translation.override("en"):
        assert (
            _localized("A valid integer is required.", "invalid") == "A valid integer is required."
        )


def test_problem_body_shape() -> None:
    assert problem_body(429, "Chờ một chút.", code="locked_out", errors={"otp": ["x"]}) == {
        "type": "about:blank",
        "title": "Quá nhiều yêu cầu",
        "status": 429,
        "detail": "Chờ một chút.",
        "code": "locked_out",
        "errors": {"otp": ["x"]},
    }
