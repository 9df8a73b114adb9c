from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tinhso.accounts.models import Role, User
from tinhso.accounts.services import otp_device_confirm, otp_device_start, otp_reset
from tinhso.accounts.tests.helpers import code_for, confirmed_totp
from tinhso.audit.models import AuditEvent
from tinhso.organizations.models import Agency
from tinhso.testing.factories import make_membership, official


def test_start_returns_the_same_pending_device_until_confirmed(admin_a: User) -> None:
    # when the enrolment page is opened twice
    first = otp_device_start(actor=admin_a)
    second = otp_device_start(actor=admin_a)

    # then one pending device, one audit row
    assert first.pk == second.pk and not first.confirmed
    assert AuditEvent.objects.filter(action="accounts.otp_enrol_start").count() == 1


def test_confirm_with_the_current_code_enables_the_device(admin_a: User) -> None:
    # given a pending device
    pending = otp_device_start(actor=admin_a)

    # when the code the app shows is entered
    device = otp_device_confirm(actor=admin_a, device=pending, token=code_for(pending))

    # then the device is confirmed and the enrolment audited
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert AuditEvent.objects.filter(action="accounts.otp_enrol_confirm").count() == 1
    with pytest.raises(ValidationError):
        otp_device_start(actor=admin_a)


def test_a_wrong_code_is_refused_and_counted(admin_a: User) -> None:
    # given a pending device
    pending = otp_device_start(actor=admin_a)
    wrong = f"{(int(code_for(pending)) + 1) % 1_000_000:06d}"

    # when a wrong code is entered
    with pytest.raises(ValidationError) as caught:
        otp_device_confirm(actor=admin_a, device=pending, token=wrong)

    # then it says so on the field, the device stays pending, and the failure was committed
    assert caught.value.message_dict["otp_token"] == [
        "Mã xác thực không đúng hoặc đã hết hạn; hãy nhập mã mới trong ứng dụng."
    ]
    pending.refresh_from_db()
    assert not pending.confirmed and pending.throttling_failure_count == 1


def test_after_a_failure_the_next_try_must_wait(admin_a: User) -> None:
    # given a failure just now (django-otp's throttling: 1 s, then 2, 4 …)
    pending = otp_device_start(actor=admin_a)
    with pytest.raises(ValidationError):
        otp_device_confirm(actor=admin_a, device=pending, token="000000")

    # when the right code comes at once
    with pytest.raises(ValidationError) as caught:
        otp_device_confirm(actor=admin_a, device=pending, token=code_for(pending))

    # then it is refused with the waiting time
    assert "vui lòng chờ" in caught.value.message_dict["otp_token"][0]


def test_someone_elses_device_is_refused(admin_a: User, admin_b: User) -> None:
    pending = otp_device_start(actor=admin_b)
    with pytest.raises(PermissionDenied):
        otp_device_confirm(actor=admin_a, device=pending, token=code_for(pending))


def test_reset_removes_every_device_with_an_audit_row(admin_a: User, agency_a: Agency) -> None:
    # given an official with an app and backup codes
    specialist = official(Role.CHUYEN_VIEN, agency=agency_a)
    confirmed_totp(specialist)
    StaticDevice.objects.create(user=specialist, name="backup")

    # when the administrator resets the second factor
    removed = otp_reset(actor=admin_a, user=specialist)

    # then
    assert removed == 2
    assert not TOTPDevice.objects.filter(user=specialist).exists()
    assert not StaticDevice.objects.filter(user=specialist).exists()
    assert AuditEvent.objects.get(action="accounts.otp_reset").changes == {"devices_removed": 2}


def test_reset_without_a_device_says_so(admin_a: User, agency_a: Agency) -> None:
    specialist = official(Role.CHUYEN_VIEN, agency=agency_a)
    with pytest.raises(ValidationError) as caught:
        otp_reset(actor=admin_a, user=specialist)
    assert "chưa đăng ký xác thực hai lớp" in caught.value.messages[0]
    assert not AuditEvent.objects.filter(action="accounts.otp_reset").exists()


def test_reset_is_refused_for_oneself_and_for_an_official_of_two_agencies(
    admin_a: User, agency_a: Agency, agency_b: Agency
) -> None:
    confirmed_totp(admin_a)
    shared = official(Role.CHUYEN_VIEN, agency=agency_a)
    make_membership(user=shared, agency=agency_b, role=Role.CHUYEN_VIEN)
    confirmed_totp(shared)
    with pytest.raises(PermissionDenied):
        otp_reset(actor=admin_a, user=admin_a)
    with pytest.raises(PermissionDenied):
        otp_reset(actor=admin_a, user=shared)
    assert TOTPDevice.objects.filter(user__in=[admin_a, shared]).count() == 2
