"""Errors of the API as RFC 9457 `application/problem+json`, with a Vietnamese message
and per-field errors.

Body: `type` (about:blank), `title` (the status in words), `status`, `detail` (what went
wrong, in the user's language), optionally `code` (a stable machine-readable reason) and
`errors` ({field: [messages]}, nested for nested data). DRF's own messages that its
Vietnamese catalogue lacks are given in Vietnamese here, by their error code, so no English
reaches a Vietnamese user.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM_CONTENT_TYPE = "application/problem+json"

_TITLES: dict[int, Promise] = {
    400: gettext_lazy("Dữ liệu không hợp lệ"),
    401: gettext_lazy("Chưa xác thực"),
    403: gettext_lazy("Không có quyền"),
    404: gettext_lazy("Không tìm thấy"),
    405: gettext_lazy("Phương thức không được hỗ trợ"),
    406: gettext_lazy("Không đáp ứng được định dạng yêu cầu"),
    409: gettext_lazy("Xung đột trạng thái"),
    413: gettext_lazy("Dữ liệu quá lớn"),
    415: gettext_lazy("Định dạng không được hỗ trợ"),
    429: gettext_lazy("Quá nhiều yêu cầu"),
}


class Conflict(exceptions.APIException):
    """An action that the object's current state does not allow (HTTP 409)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("Thao tác không được phép ở trạng thái hiện tại.")
    default_code = "conflict"


def _number(message: str) -> str:
    found = re.search(r"(-?\d[\d.,:\- T]*\d|\d)", message)
    return found.group(1) if found else ""


def _quoted(message: str) -> str:
    found = re.search(r"\"([^\"]*)\"", message)
    return found.group(1) if found else ""


#: Vietnamese for DRF's messages by error code, used when the message arrives untranslated.
_VIETNAMESE: dict[str, Callable[[str], str]] = {
    # Whole-request errors.
    "not_authenticated": lambda m: _(
        "Chưa xác thực: hãy đăng nhập hoặc gửi mã truy cập trong tiêu đề "
        "Authorization: Bearer <mã>."
    ),
    "authentication_failed": lambda m: _("Thông tin xác thực không đúng."),
    "permission_denied": lambda m: _("Bạn không có quyền thực hiện thao tác này."),
    "not_found": lambda m: _("Không tìm thấy."),
    "method_not_allowed": lambda m: (
        _("Phương thức %(method)s không được hỗ trợ ở địa chỉ này.") % {"method": _quoted(m) or "?"}
    ),
    "not_acceptable": lambda m: _("Không đáp ứng được định dạng yêu cầu trong tiêu đề Accept."),
    "unsupported_media_type": lambda m: (
        _("Định dạng dữ liệu “%(type)s” không được hỗ trợ.") % {"type": _quoted(m)}
    ),
    "parse_error": lambda m: _("Dữ liệu gửi lên không đúng định dạng (JSON hỏng?)."),
    "throttled": lambda m: _("Quá nhiều yêu cầu; vui lòng thử lại sau."),
    # Field errors.
    "required": lambda m: _("Trường này là bắt buộc."),
    "null": lambda m: _("Trường này không được để trống (null)."),
    "blank": lambda m: _("Trường này không được để trống."),
    "invalid": lambda m: _("Giá trị không hợp lệ."),
    "max_length": lambda m: _("Dài tối đa %(n)s ký tự.") % {"n": _number(m)},
    "min_length": lambda m: _("Cần ít nhất %(n)s ký tự.") % {"n": _number(m)},
    "max_value": lambda m: _("Giá trị phải nhỏ hơn hoặc bằng %(n)s.") % {"n": _number(m)},
    "min_value": lambda m: _("Giá trị phải lớn hơn hoặc bằng %(n)s.") % {"n": _number(m)},
    "max_string_length": lambda m: _("Giá trị quá lớn."),
    "max_digits": lambda m: _("Có quá nhiều chữ số."),
    "max_decimal_places": lambda m: _("Có quá nhiều chữ số sau dấu thập phân."),
    "max_whole_digits": lambda m: _("Có quá nhiều chữ số trước dấu thập phân."),
    "invalid_choice": lambda m: (
        _("“%(value)s” không phải là một lựa chọn hợp lệ.") % {"value": _quoted(m)}
    ),
    "does_not_exist": lambda m: _("Đối tượng được chọn không tồn tại."),
    "incorrect_type": lambda m: _("Kiểu dữ liệu không đúng."),
    "not_a_list": lambda m: _("Cần một danh sách."),
    "not_a_dict": lambda m: _("Cần một đối tượng (dictionary)."),
    "empty": lambda m: _("Danh sách không được rỗng."),
    "date": lambda m: _("Cần một ngày, không phải ngày giờ."),
    "datetime": lambda m: _("Cần một ngày giờ, không phải ngày."),
    "make_aware": lambda m: _("Thời điểm không hợp lệ theo múi giờ hiện tại."),
    "overflow": lambda m: _("Thời điểm nằm ngoài khoảng cho phép."),
    "no_name": lambda m: _("Không xác định được tên tệp."),
    "unique": lambda m: _("Giá trị này đã tồn tại."),
}


def _localized(message: str, code: str | None) -> str:
    """The message in Vietnamese when the user reads Vietnamese and DRF left it in English.

    DRF's catalogue is partial; a message made only of ASCII in a Vietnamese request is taken
    for an untranslated one (every Vietnamese sentence carries at least one diacritic).
    """
    if not message.isascii() or not (translation.get_language() or "").startswith("vi"):
        return message
    translate = _VIETNAMESE.get(code or "")
    return translate(message) if translate else message


def _flatten(detail: Any) -> Any:
    """DRF's error detail as plain JSON: lists of messages, nested for nested data."""
    if isinstance(detail, list):
        return [_flatten(item) for item in detail]
    if isinstance(detail, dict):
        return {str(key): _flatten(value) for key, value in detail.items()}
    return _localized(str(detail), getattr(detail, "code", None))


def _messages(flat: Any) -> list[str]:
    if isinstance(flat, list):
        return [message for item in flat for message in _messages(item)]
    if isinstance(flat, dict):
        return [message for value in flat.values() for message in _messages(value)]
    return [str(flat)]


def problem_body(
    status_code: int, detail: str, *, errors: Mapping[str, Any] | None = None, code: str = ""
) -> dict[str, Any]:
    """The JSON of a problem; also used outside DRF (the lockout and two-factor answers)."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": str(_TITLES.get(status_code, gettext_lazy("Lỗi"))),
        "status": status_code,
        "detail": detail,
    }
    if code:
        body["code"] = code
    if errors:
        body["errors"] = dict(errors)
    return body


def problem_response(
    status_code: int,
    detail: str,
    *,
    errors: Mapping[str, Any] | None = None,
    code: str = "",
    headers: Mapping[str, str] | None = None,
) -> Response:
    return Response(
        problem_body(status_code, detail, errors=errors, code=code),
        status=status_code,
        content_type=PROBLEM_CONTENT_TYPE,
        headers=dict(headers or {}),
    )


def _as_api_exception(exc: Exception) -> Exception:
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return exceptions.ValidationError(detail=exc.message_dict)
        return exceptions.ValidationError(detail={"non_field_errors": exc.messages})
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        # Keep a Vietnamese reason given by an access function ("Bạn không quản trị …").
        return exceptions.PermissionDenied(detail=str(exc) or None)
    return exc


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's `EXCEPTION_HANDLER`: every error the API answers becomes a problem document."""
    exc = _as_api_exception(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None  # not an API error: a 500, left to Django
    assert isinstance(exc, exceptions.APIException)

    errors: dict[str, Any] | None = None
    if isinstance(exc, exceptions.ValidationError):
        flat = _flatten(exc.detail)
        if isinstance(flat, dict):
            non_field = flat.pop("non_field_errors", None)
            errors = flat or None
            detail = (
                "; ".join(_messages(non_field))
                if non_field
                else _("Vui lòng kiểm tra các trường được nêu.")
            )
        else:
            detail = "; ".join(_messages(flat)) or _("Dữ liệu không hợp lệ.")
        code = "invalid"
    else:
        code = str(getattr(exc, "default_code", "") or "")
        codes = exc.get_codes()
        detail = _localized(str(exc.detail), codes if isinstance(codes, str) else code)

    headers = {
        name: response[name]
        for name in ("WWW-Authenticate", "Retry-After", "Allow")
        if name in response
    }
    return problem_response(response.status_code, detail, errors=errors, code=code, headers=headers)
