"""Formats of account data: usernames, Vietnamese mobile numbers, personal identification numbers.

Pure functions: each takes the raw input and returns the normalised value or raises
`ValidationError` with a Vietnamese message that names the field.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

USERNAME_MIN = 3
USERNAME_MAX = 150
_USERNAME = re.compile(r"^[a-z][a-z0-9._-]*$")
_PHONE = re.compile(r"^0\d{9}$")
_ID_NUMBER = re.compile(r"^\d{12}$")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")


def normalize_username(value: str) -> str:
    """Lower-case ASCII: a letter first, then letters, digits, dot, hyphen or underscore."""
    username = value.strip().lower()
    if not username:
        raise ValidationError(_("Tên đăng nhập không được để trống."), code="required")
    if not USERNAME_MIN <= len(username) <= USERNAME_MAX:
        raise ValidationError(
            _("Tên đăng nhập phải dài từ %(min)d đến %(max)d ký tự.")
            % {"min": USERNAME_MIN, "max": USERNAME_MAX},
            code="username_length",
        )
    if not _USERNAME.match(username):
        raise ValidationError(
            _(
                "Tên đăng nhập chỉ gồm chữ cái không dấu, chữ số và các dấu chấm (.), "
                "gạch ngang (-), gạch dưới (_), bắt đầu bằng một chữ cái."
            ),
            code="username_format",
        )
    return username


def normalize_phone(value: str) -> str:
    """A mobile number as 0 followed by nine digits; "+84 912 345 678" becomes "0912345678".

    Ten-digit numbers since the 2018 renumbering (Quyết định 798/QĐ-BTTTT).
    """
    phone = _PHONE_SEPARATORS.sub("", value)
    if phone.startswith("+84"):
        phone = "0" + phone[3:]
    elif phone.startswith("84") and len(phone) == 11:
        phone = "0" + phone[2:]
    if not _PHONE.match(phone):
        raise ValidationError(
            _("Số điện thoại phải gồm 10 chữ số, bắt đầu bằng số 0 (ví dụ 0912345678)."),
            code="phone_format",
        )
    return phone


def normalize_id_number(value: str) -> str:
    """The 12-digit personal identification number printed on the citizen identity card (CCCD).

    Luật Căn cước 2023, Điều 12: the personal identification number is a sequence of 12 digits.
    """
    id_number = value.strip().replace(" ", "")
    if not _ID_NUMBER.match(id_number):
        raise ValidationError(
            _("Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số."), code="id_number_format"
        )
    return id_number


def normalize_email(value: str) -> str:
    """A syntactically valid address, lower-cased in its domain part."""
    email = value.strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError(
            _("Thư điện tử không hợp lệ (ví dụ: ten@example.gov.vn)."), code="email_format"
        ) from exc
    local, _at, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"
