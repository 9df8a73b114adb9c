"""The password rules speak Vietnamese: no English message reaches the user."""

from __future__ import annotations

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import translation

from tinhso.accounts.models import User


def _messages(password: str, user: User | None = None) -> list[str]:
    with translation.override("vi"):
        try:
            password_validation.validate_password(password, user=user)
        except ValidationError as exc:
            return list(exc.messages)
    return []


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("ngan-1", "Mật khẩu quá ngắn: cần ít nhất 10 ký tự."),
        ("1234567890123", "Mật khẩu không được chỉ gồm chữ số."),
        ("password123", "Mật khẩu này quá phổ biến, dễ bị đoán ra."),
    ],
)
def test_each_rule_has_a_vietnamese_message(password: str, expected: str) -> None:
    assert expected in _messages(password)


def test_a_password_like_the_full_name_is_refused(db: None) -> None:
    # given an official whose password would be their own name
    user = User(username="hoangvanthu", full_name="Hoàng Văn Thụ", email="thu@example.vn")

    # when / then
    assert _messages("hoangvanthu1", user) == ["Mật khẩu quá giống Tên đăng nhập của tài khoản."]


def test_no_message_or_help_text_is_in_english(db: None) -> None:
    # given every rule broken at once, and the help texts
    user = User(username="abcdefghij", full_name="A B")
    messages = _messages("1234", user) + _messages("abcdefghij", user)
    with translation.override("vi"):
        help_texts = password_validation.password_validators_help_texts()

    # then every text carries Vietnamese and none the English words of Django's originals
    assert messages and help_texts
    for text in messages + help_texts:
        assert not text.isascii(), text
        assert "password" not in text.lower(), text


def test_a_good_password_passes() -> None:
    assert _messages("Mot-mat-khau-tot-2026") == []
