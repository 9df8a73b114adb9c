"""Errors of the API as RFC 9457 `application/problem+json`, with a Vietnamese message
and per-field errors."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM_CONTENT_TYPE = "application/problem+json"

_TITLES = {
    400: "Dữ liệu không hợp lệ",
    401: "Chưa xác thực",
    403: "Không có quyền",
    404: "Không tìm thấy",
    405: "Phương thức không được hỗ trợ",
    409: "Xung đột trạng thái",
    413: "Dữ liệu quá lớn",
    415: "Định dạng không được hỗ trợ",
    429: "Quá nhiều yêu cầu",
}


class Conflict(exceptions.APIException):
    """An action that the object's current state does not allow (HTTP 409)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "Thao tác không được phép ở trạng thái hiện tại."
    default_code = "conflict"


def _flatten(detail: Any) -> Any:
    if isinstance(detail, list):
        return [str(item) for item in detail]
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    return str(detail)


def problem_response(
    status_code: int, detail: str, *, errors: dict[str, Any] | None = None, code: str = ""
) -> Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": _(_TITLES.get(status_code, "Lỗi")),
        "status": status_code,
        "detail": detail,
    }
    if code:
        body["code"] = code
    if errors:
        body["errors"] = errors
    return Response(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE)


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None
    assert isinstance(exc, exceptions.APIException)

    errors: dict[str, Any] | None = None
    if isinstance(exc, exceptions.ValidationError):
        detail_data = exc.detail
        if isinstance(detail_data, dict):
            errors = _flatten(detail_data)
            non_field = errors.pop("non_field_errors", None) if errors else None
            detail = (
                "; ".join(non_field) if non_field else _("Vui lòng kiểm tra các trường được nêu.")
            )
        else:
            detail = "; ".join(_flatten(detail_data)) or _("Dữ liệu không hợp lệ.")
    else:
        detail = str(exc.detail)

    problem = problem_response(
        response.status_code, detail, errors=errors, code=str(getattr(exc, "default_code", ""))
    )
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response:
            problem[header] = response[header]
    return problem
