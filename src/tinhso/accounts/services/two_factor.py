"""Two-factor devices: enrol (start, confirm) and reset by an administrator."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tinhso.accounts.access import can_manage_account
from tinhso.accounts.models import User
from tinhso.accounts.services.common import ServiceActor, first_agency_id, is_self, view_of
from tinhso.accounts.two_factor import DEVICE_NAME, confirmed_device, token_error_message
from tinhso.audit.services import audit_record


def otp_device_start(*, actor: User) -> TOTPDevice:
    """The pending (unconfirmed) TOTP device of the actor, created on first call.

    Calling again returns the same device, so reloading the enrolment page keeps the QR code
    the user may already have scanned.
    """
    with transaction.atomic():
        # The user row serialises two tabs opening the enrolment page at once.
        User.objects.select_for_update().filter(pk=actor.pk).first()
        if confirmed_device(actor) is not None:
            raise ValidationError(_("Tài khoản đã đăng ký xác thực hai lớp."), code="enrolled")
        pending = (
            TOTPDevice.objects.filter(user_id=actor.pk, confirmed=False).order_by("pk").first()
        )
        if pending is not None:
            return pending
        device = TOTPDevice.objects.create(user=actor, name=DEVICE_NAME, confirmed=False)
        audit_record(actor=actor, action="accounts.otp_enrol_start", obj=actor)
    return device


def otp_device_confirm(*, actor: User, device: TOTPDevice, token: str) -> TOTPDevice:
    """Confirm the pending device with a code from the authenticator app.

    A wrong code raises `ValidationError` on `otp_token`; the device's failure counter
    (django-otp's throttling) is committed even then, so guessing slows down.
    """
    if device.user_id != actor.pk or device.confirmed:
        raise PermissionDenied(_("Thiết bị xác thực không hợp lệ."))
    verified = False
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, info = locked.verify_is_allowed()
        if allowed and locked.verify_token(token.strip()):
            verified = True
            locked.confirmed = True
            locked.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user_id=actor.pk, confirmed=False).delete()
            audit_record(actor=actor, action="accounts.otp_enrol_confirm", obj=actor)
    if not verified:
        raise ValidationError({"otp_token": [token_error_message(None if allowed else info)]})
    return locked


def otp_reset(*, actor: ServiceActor, user: User) -> int:
    """Remove an account's two-factor devices (a lost phone); the next sign-in enrols anew.

    Returns the number of devices removed.
    """
    view = view_of(actor)
    if is_self(actor, user):
        raise PermissionDenied(_("Bạn không thể tự đặt lại xác thực hai lớp của mình."))
    if view is not None and not can_manage_account(view, user):
        raise PermissionDenied(_("Bạn không có quyền đặt lại xác thực hai lớp của tài khoản này."))
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        totp_count, _detail = TOTPDevice.objects.filter(user_id=user.pk).delete()
        static_count, _detail = StaticDevice.objects.filter(user_id=user.pk).delete()
        removed = int(totp_count) + int(static_count)
        if removed == 0:
            raise ValidationError(
                _("Tài khoản này chưa đăng ký xác thực hai lớp; không có gì để đặt lại."),
                code="no_device",
            )
        audit_record(
            actor=actor,
            action="accounts.otp_reset",
            obj=user,
            agency=first_agency_id(user),
            changes={"devices_removed": removed},
        )
    return removed
