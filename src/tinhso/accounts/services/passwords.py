"""Changing one's own password."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.models import ApiToken, User
from tinhso.audit.services import audit_record


def user_password_change(*, actor: User, old_password: str, new_password: str) -> User:
    """Set a new password after checking the current one and the password rules.

    Every live API token of the account is revoked: whoever held the old password may have
    issued one.
    """
    errors: dict[str, list[str]] = {}
    if not actor.check_password(old_password):
        errors["old_password"] = [_("Mật khẩu hiện tại không đúng.")]
    if new_password == old_password:
        errors.setdefault("new_password1", []).append(
            _("Mật khẩu mới phải khác mật khẩu hiện tại.")
        )
    else:
        try:
            validate_password(new_password, user=actor)
        except ValidationError as exc:
            errors.setdefault("new_password1", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=actor.pk)
        locked.set_password(new_password)
        locked.save(update_fields=["password"])
        revoked = ApiToken.objects.filter(user=locked, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        audit_record(
            actor=actor,
            action="accounts.password_change",
            obj=locked,
            changes={"api_tokens_revoked": revoked},
        )
    return locked
