from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tinhso.accounts.models import Role
from tinhso.accounts.services import api_token_issue, user_password_change
from tinhso.audit.models import AuditEvent
from tinhso.organizations.models import Agency
from tinhso.testing.factories import TEST_PASSWORD, official

NEW = "Mot-mat-khau-moi-2026!"


def test_changes_the_password_and_revokes_tokens(agency_a: Agency) -> None:
    # given an official with a live token
    user = official(Role.CHUYEN_VIEN, agency=agency_a)
    token, _key = api_token_issue(actor=user)

    # when they change their password
    user_password_change(actor=user, old_password=TEST_PASSWORD, new_password=NEW)

    # then the new password works, the token is revoked, the change is audited
    user.refresh_from_db()
    token.refresh_from_db()
    assert user.check_password(NEW)
    assert token.revoked_at is not None
    assert AuditEvent.objects.get(action="accounts.password_change").changes == {
        "api_tokens_revoked": 1
    }


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("sai-mat-khau", NEW, "old_password", "Mật khẩu hiện tại không đúng."),
        (
            TEST_PASSWORD,
            TEST_PASSWORD,
            "new_password1",
            "Mật khẩu mới phải khác mật khẩu hiện tại.",
        ),
        (TEST_PASSWORD, "ngan", "new_password1", "Mật khẩu quá ngắn: cần ít nhất 10 ký tự."),
    ],
)
def test_bad_input_changes_nothing(
    agency_a: Agency, old: str, new: str, field: str, message: str
) -> None:
    user = official(Role.CHUYEN_VIEN, agency=agency_a)
    with pytest.raises(ValidationError) as caught:
        user_password_change(actor=user, old_password=old, new_password=new)
    assert message in caught.value.message_dict[field]
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)
    assert not AuditEvent.objects.filter(action="accounts.password_change").exists()
