from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from tinhso.accounts.validators import (
    normalize_email,
    normalize_id_number,
    normalize_phone,
    normalize_username,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("nguyenvana", "nguyenvana"), ("  An.NV ", "an.nv"), ("qt_so-tp2", "qt_so-tp2")],
)
def test_username_is_normalised_to_lower_case(raw: str, expected: str) -> None:
    assert normalize_username(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "không được để trống"),
        ("ab", "từ 3 đến 150 ký tự"),
        ("nguyễnvăna", "chữ cái không dấu"),
        ("1nguyen", "bắt đầu bằng một chữ cái"),
        ("an nv", "chữ cái không dấu"),
        ("an@nv", "chữ cái không dấu"),
    ],
)
def test_a_bad_username_is_refused_in_vietnamese(raw: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        normalize_username(raw)
    assert message in caught.value.messages[0]
    assert caught.value.messages[0].startswith("Tên đăng nhập")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("091.234.5678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
    ],
)
def test_phone_numbers_are_normalised(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", ["912345678", "09123456789", "1912345678", "09123a5678", ""])
def test_a_bad_phone_number_is_refused(raw: str) -> None:
    with pytest.raises(ValidationError) as caught:
        normalize_phone(raw)
    assert caught.value.messages == [
        "Số điện thoại phải gồm 10 chữ số, bắt đầu bằng số 0 (ví dụ 0912345678)."
    ]


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_any_zero_and_nine_digits_is_a_phone_number(rest: str) -> None:
    assert normalize_phone("0" + rest) == "0" + rest


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_any_twelve_digits_is_an_id_number(digits: str) -> None:
    assert normalize_id_number(digits) == digits


@given(st.text(alphabet="0123456789", max_size=20).filter(lambda s: len(s) != 12))
def test_other_lengths_are_not_id_numbers(digits: str) -> None:
    with pytest.raises(ValidationError) as caught:
        normalize_id_number(digits)
    assert caught.value.messages == ["Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số."]


def test_id_number_rejects_letters() -> None:
    with pytest.raises(ValidationError):
        normalize_id_number("00120300456a")


def test_email_domain_is_lower_cased_and_bad_address_refused() -> None:
    assert normalize_email(" An.NV@SoTP.Gov.VN ") == "An.NV@sotp.gov.vn"
    with pytest.raises(ValidationError) as caught:
        normalize_email("an.nv@")
    assert caught.value.messages == ["Thư điện tử không hợp lệ (ví dụ: ten@example.gov.vn)."]
