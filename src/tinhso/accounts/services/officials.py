"""Officials and citizens: create accounts, grant and end memberships, deactivate accounts.

Each service runs in one transaction and writes its audit row last; bad input raises one
`ValidationError` naming every faulty field in Vietnamese, before anything is written.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.access import can_manage_account, can_manage_membership
from tinhso.accounts.models import AccountKind, ApiToken, Membership, Role, User
from tinhso.accounts.services.common import (
    ServiceActor,
    add_error,
    first_agency_id,
    is_self,
    raise_if_errors,
    require_administers,
    require_may_grant,
    view_of,
)
from tinhso.accounts.validators import (
    normalize_email,
    normalize_id_number,
    normalize_phone,
    normalize_username,
)
from tinhso.audit.services import audit_record
from tinhso.organizations.models import Agency, Department, Position

FULL_NAME_MAX = 150


def _clean_identity(
    errors: dict[str, list[str]],
    *,
    username: str,
    full_name: str,
    email: str,
    phone: str,
    id_number: str,
    id_number_required: bool,
) -> dict[str, str]:
    cleaned = {"username": "", "full_name": full_name.strip(), "email": "", "phone": ""}
    cleaned["id_number"] = ""
    try:
        cleaned["username"] = normalize_username(username)
    except ValidationError as exc:
        errors.setdefault("username", []).extend(exc.messages)
    else:
        if User.objects.filter(username__iexact=cleaned["username"]).exists():
            add_error(
                errors,
                "username",
                _("Tên đăng nhập “%(username)s” đã có người dùng; hãy chọn tên khác.")
                % {"username": cleaned["username"]},
            )
    if not cleaned["full_name"]:
        add_error(errors, "full_name", _("Họ và tên không được để trống."))
    elif len(cleaned["full_name"]) > FULL_NAME_MAX:
        add_error(
            errors,
            "full_name",
            _("Họ và tên dài tối đa %(max)d ký tự.") % {"max": FULL_NAME_MAX},
        )
    for field, raw, normalize in (
        ("email", email, normalize_email),
        ("phone", phone, normalize_phone),
        ("id_number", id_number, normalize_id_number),
    ):
        if not raw.strip():
            if field == "id_number" and id_number_required:
                add_error(errors, field, _("Số định danh cá nhân (CCCD) không được để trống."))
            continue
        try:
            cleaned[field] = normalize(raw)
        except ValidationError as exc:
            errors.setdefault(field, []).extend(exc.messages)
    return cleaned


def _check_password(errors: dict[str, list[str]], password: str, candidate: User) -> None:
    if not password:
        add_error(errors, "password", _("Mật khẩu không được để trống."))
        return
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        errors.setdefault("password", []).extend(exc.messages)


def _check_placement(
    errors: dict[str, list[str]],
    *,
    agency: Agency,
    department: Department | None,
    role: str,
) -> None:
    if role not in Role.values:
        add_error(errors, "role", _("Vai trò “%(role)s” không tồn tại.") % {"role": role})
    if department is not None:
        if department.agency_id != agency.pk:
            add_error(
                errors,
                "department",
                _("Phòng ban “%(department)s” không thuộc %(agency)s.")
                % {"department": department.name, "agency": agency.name},
            )
        elif not department.is_active:
            add_error(
                errors,
                "department",
                _("Phòng ban “%(department)s” đã ngừng hoạt động.")
                % {"department": department.name},
            )


def _create_account(fields: dict[str, Any], password: str) -> User:
    user = User(**fields)
    user.set_password(password)
    try:
        # A savepoint, so that losing a race for the username leaves the transaction usable.
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise ValidationError(
            {
                "username": [
                    _("Tên đăng nhập “%(username)s” đã có người dùng; hãy chọn tên khác.")
                    % {"username": fields["username"]}
                ]
            }
        ) from exc
    return user


def official_create(
    *,
    actor: ServiceActor,
    agency: Agency,
    role: str,
    username: str,
    full_name: str,
    password: str,
    email: str = "",
    phone: str = "",
    id_number: str = "",
    department: Department | None = None,
    position: Position | None = None,
    otp_required: bool = False,
) -> User:
    """Create an official's account together with the first membership (agency, role)."""
    require_administers(actor, agency.pk)
    require_may_grant(actor, role)
    errors: dict[str, list[str]] = {}
    cleaned = _clean_identity(
        errors,
        username=username,
        full_name=full_name,
        email=email,
        phone=phone,
        id_number=id_number,
        id_number_required=False,
    )
    _check_placement(errors, agency=agency, department=department, role=role)
    _check_password(errors, password, User(kind=AccountKind.OFFICIAL, **cleaned))
    raise_if_errors(errors)

    with transaction.atomic():
        user = _create_account(
            {**cleaned, "kind": AccountKind.OFFICIAL, "otp_required": otp_required}, password
        )
        membership = Membership.objects.create(
            user=user, agency=agency, department=department, role=role, position=position
        )
        audit_record(
            actor=actor,
            action="accounts.official_create",
            obj=user,
            agency=agency,
            changes={
                "username": [None, user.username],
                "full_name": [None, user.full_name],
                "email": [None, user.email],
                "phone": [None, user.phone],
                "otp_required": [None, user.otp_required],
                "membership": [None, _membership_snapshot(membership)],
            },
        )
    return user


def citizen_create(
    *,
    actor: ServiceActor,
    username: str,
    full_name: str,
    id_number: str,
    password: str,
    email: str = "",
    phone: str = "",
) -> User:
    """Create a citizen's account, identified by the 12-digit personal identification number.

    Citizens have no memberships. Created by the provincial administrator, an official of a
    one-stop-shop counter, or a trusted system process (the future online registration).
    """
    view = view_of(actor)
    if view is not None and not (view.is_provincial_admin or view.has_role(Role.MOT_CUA)):
        raise PermissionDenied(_("Bạn không có quyền tạo tài khoản công dân."))
    errors: dict[str, list[str]] = {}
    cleaned = _clean_identity(
        errors,
        username=username,
        full_name=full_name,
        email=email,
        phone=phone,
        id_number=id_number,
        id_number_required=True,
    )
    if (
        cleaned["id_number"]
        and User.objects.filter(kind=AccountKind.CITIZEN, id_number=cleaned["id_number"]).exists()
    ):
        add_error(
            errors,
            "id_number",
            _("Số định danh cá nhân %(id)s đã có tài khoản công dân.")
            % {"id": cleaned["id_number"]},
        )
    _check_password(errors, password, User(kind=AccountKind.CITIZEN, **cleaned))
    raise_if_errors(errors)

    with transaction.atomic():
        user = _create_account({**cleaned, "kind": AccountKind.CITIZEN}, password)
        audit_record(
            actor=actor,
            action="accounts.citizen_create",
            obj=user,
            changes={"username": [None, user.username], "full_name": [None, user.full_name]},
        )
    return user


def _membership_snapshot(membership: Membership) -> dict[str, Any]:
    return {
        "id": membership.pk,
        "agency_id": membership.agency_id,
        "department_id": membership.department_id,
        "role": membership.role,
        "position_id": membership.position_id,
        "is_active": membership.is_active,
    }


def membership_add(
    *,
    actor: ServiceActor,
    user: User,
    agency: Agency,
    role: str,
    department: Department | None = None,
    position: Position | None = None,
) -> Membership:
    """Grant an official one more role in an agency (and department)."""
    require_administers(actor, agency.pk)
    require_may_grant(actor, role)
    with transaction.atomic():
        # The user row is the lock that serialises grants to the same person.
        locked = User.objects.select_for_update().get(pk=user.pk)
        errors: dict[str, list[str]] = {}
        if locked.kind != AccountKind.OFFICIAL:
            add_error(
                errors,
                "user",
                _(
                    "Chỉ tài khoản cán bộ mới có vị trí công tác; công dân và doanh nghiệp thì không."
                ),
            )
        elif not locked.is_active:
            add_error(errors, "user", _("Tài khoản này đã bị khóa; không thể giao thêm vai trò."))
        _check_placement(errors, agency=agency, department=department, role=role)
        if not errors and (
            Membership.objects.filter(
                user=locked, agency=agency, department=department, role=role, is_active=True
            ).exists()
        ):
            add_error(
                errors,
                "role",
                _("Cán bộ đã có vai trò %(role)s tại %(place)s.")
                % {
                    "role": Role(role).label,
                    "place": department.name if department else agency.name,
                },
            )
        raise_if_errors(errors)
        membership = Membership.objects.create(
            user=locked, agency=agency, department=department, role=role, position=position
        )
        audit_record(
            actor=actor,
            action="accounts.membership_add",
            obj=membership,
            agency=agency,
            changes={"membership": [None, _membership_snapshot(membership)]},
        )
    return membership


def membership_end(*, actor: ServiceActor, membership: Membership) -> Membership:
    """End a membership; the row stays as history and the role may be granted again later."""
    view = view_of(actor)
    if view is not None and not can_manage_membership(view, membership):
        raise PermissionDenied(_("Bạn không có quyền kết thúc vị trí công tác này."))
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if not locked.is_active:
            raise ValidationError(_("Vị trí công tác này đã kết thúc trước đó."), code="ended")
        before = _membership_snapshot(locked)
        locked.is_active = False
        locked.ended_at = timezone.now()
        locked.save(update_fields=["is_active", "ended_at"])
        audit_record(
            actor=actor,
            action="accounts.membership_end",
            obj=locked,
            agency=locked.agency_id,
            changes={"is_active": [True, False], "membership": [before, None]},
        )
    return locked


def _revoke_live_tokens(user: User) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def user_deactivate(*, actor: ServiceActor, user: User) -> User:
    """Lock an account: it can no longer sign in and its API tokens stop working.

    Memberships are kept, so that the record of who held which role stays complete.
    """
    view = view_of(actor)
    if is_self(actor, user):
        raise PermissionDenied(_("Bạn không thể tự khóa tài khoản của mình."))
    if view is not None and not can_manage_account(view, user):
        raise PermissionDenied(_("Bạn không có quyền khóa tài khoản này."))
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.is_active:
            raise ValidationError(_("Tài khoản này đã bị khóa trước đó."), code="inactive")
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        revoked = _revoke_live_tokens(locked)
        audit_record(
            actor=actor,
            action="accounts.user_deactivate",
            obj=locked,
            agency=first_agency_id(locked),
            changes={"is_active": [True, False], "api_tokens_revoked": revoked},
        )
    return locked


def user_reactivate(*, actor: ServiceActor, user: User) -> User:
    """Unlock an account locked by `user_deactivate`."""
    view = view_of(actor)
    if is_self(actor, user):
        raise PermissionDenied(_("Bạn không thể tự mở khóa tài khoản của mình."))
    if view is not None and not can_manage_account(view, user):
        raise PermissionDenied(_("Bạn không có quyền mở khóa tài khoản này."))
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_active:
            raise ValidationError(_("Tài khoản này đang hoạt động."), code="active")
        locked.is_active = True
        locked.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action="accounts.user_reactivate",
            obj=locked,
            agency=first_agency_id(locked),
            changes={"is_active": [False, True]},
        )
    return locked
