"""Access-matrix entries of the accounts pages and API (see tinhso.testing.access_matrix)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tinhso.accounts.models import Membership, Role, User
from tinhso.testing.access_matrix import (
    AGENCY_A_ADMINS,
    ALLOWED,
    EVERYONE,
    FORBIDDEN,
    LOGIN,
    OFFICIAL_ADMINS,
    SIGNED_IN,
    Endpoint,
    World,
    expect,
)
from tinhso.testing.factories import TEST_PASSWORD, make_membership, official

NEW_PASSWORD = "Mot-mat-khau-moi-2026!"
REDIRECT = frozenset({302})


def _target(w: World) -> User:
    """A chuyên viên of agency A, with a confirmed authenticator, for the management pages."""

    def build() -> User:
        user = official(Role.CHUYEN_VIEN, agency=w.agency_a, username="target_a")
        TOTPDevice.objects.create(user=user, name="default", confirmed=True)
        return user

    return w.make("target_a", build)  # type: ignore[no-any-return]


def _inactive_target(w: World) -> User:
    def build() -> User:
        return official(Role.CHUYEN_VIEN, agency=w.agency_a, username="locked_a", is_active=False)

    return w.make("locked_a", build)  # type: ignore[no-any-return]


def _shared_target(w: World) -> User:
    """An official working in A and in B: neither agency administrator manages the account."""

    def build() -> User:
        user = official(Role.CHUYEN_VIEN, agency=w.agency_a, username="shared_ab")
        make_membership(user=user, agency=w.agency_b, role=Role.CHUYEN_VIEN)
        return user

    return w.make("shared_ab", build)  # type: ignore[no-any-return]


def _target_membership(w: World) -> Membership:
    return Membership.objects.get(user=_target(w), agency=w.agency_a)


def _detail(name: str, target: Any) -> Any:
    return lambda w: reverse(name, args=[target(w).pk])


def _login_payload(w: World) -> dict[str, str]:
    user = w.user("chuyen_vien_a")
    assert user is not None
    return {"username": user.username, "password": TEST_PASSWORD}


def _new_official(w: World) -> dict[str, Any]:
    return {
        "full_name": "Trần Thị Mới",
        "username": "tranthimoi",
        "email": "moi@example.gov.vn",
        "phone": "0912345678",
        "id_number": "",
        "department": w.department_a.pk,
        "role": Role.CHUYEN_VIEN,
        "position": "",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }


_official_create_url = lambda w: reverse("accounts:official_create", args=[w.agency_a.pk])  # noqa: E731

ENDPOINTS = [
    # Signing in and out, the second factor, the password.
    Endpoint("accounts:login", "GET", expect=EVERYONE),
    Endpoint("accounts:login", "POST", payload=_login_payload, expect=EVERYONE, success=REDIRECT),
    Endpoint(
        "accounts:logout",
        "POST",
        payload=lambda w: {"next": "/"},
        expect=EVERYONE,
        success=REDIRECT,
    ),
    Endpoint("accounts:two_factor", "GET", expect=SIGNED_IN),
    Endpoint(
        "accounts:two_factor", "POST", payload=lambda w: {"otp_token": "000000"}, expect=SIGNED_IN
    ),
    Endpoint("accounts:password_change", "GET", expect=SIGNED_IN),
    Endpoint(
        "accounts:password_change",
        "POST",
        payload=lambda w: {
            "old_password": TEST_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        expect=SIGNED_IN,
        success=REDIRECT,
    ),
    # Officials management.
    Endpoint("accounts:official_list", "GET", expect=OFFICIAL_ADMINS),
    Endpoint("accounts:official_create", "GET", url=_official_create_url, expect=AGENCY_A_ADMINS),
    Endpoint(
        "accounts:official_create",
        "POST",
        url=_official_create_url,
        payload=_new_official,
        expect=AGENCY_A_ADMINS,
        success=REDIRECT,
    ),
    Endpoint(
        "accounts:official_detail",
        "GET",
        url=_detail("accounts:official_detail", _target),
        expect=AGENCY_A_ADMINS,
    ),
    Endpoint(
        "accounts:membership_add",
        "GET",
        url=_detail("accounts:membership_add", _target),
        expect=AGENCY_A_ADMINS,
    ),
    Endpoint(
        "accounts:membership_add",
        "POST",
        url=_detail("accounts:membership_add", _target),
        payload=lambda w: {"agency": w.agency_a.pk, "role": Role.VAN_THU},
        expect=AGENCY_A_ADMINS,
        success=REDIRECT,
    ),
    Endpoint(
        "accounts:membership_end",
        "GET",
        url=_detail("accounts:membership_end", _target_membership),
        expect=AGENCY_A_ADMINS,
    ),
    Endpoint(
        "accounts:membership_end",
        "POST",
        url=_detail("accounts:membership_end", _target_membership),
        expect=AGENCY_A_ADMINS,
        success=REDIRECT,
    ),
    Endpoint(
        "accounts:official_deactivate",
        "GET",
        url=_detail("accounts:official_deactivate", _target),
        expect=AGENCY_A_ADMINS,
    ),
    Endpoint(
        "accounts:official_deactivate",
        "POST",
        url=_detail("accounts:official_deactivate", _target),
        expect=AGENCY_A_ADMINS,
        success=REDIRECT,
    ),
    Endpoint(
        "accounts:official_deactivate",
        "POST",
        label="official of two agencies",
        url=_detail("accounts:official_deactivate", _shared_target),
        expect=expect(FORBIDDEN, anonymous=LOGIN, quan_tri_tinh=ALLOWED),
        success=REDIRECT,
    ),
    Endpoint(
        "accounts:official_reactivate",
        "GET",
        url=_detail("accounts:official_reactivate", _inactive_target),
        expect=AGENCY_A_ADMINS,
    ),
    Endpoint(
        "accounts:official_reactivate",
        "POST",
        url=_detail("accounts:official_reactivate", _inactive_target),
        expect=AGENCY_A_ADMINS,
        success=REDIRECT,
    ),
    Endpoint(
        "accounts:official_otp_reset",
        "GET",
        url=_detail("accounts:official_otp_reset", _target),
        expect=AGENCY_A_ADMINS,
    ),
    Endpoint(
        "accounts:official_otp_reset",
        "POST",
        url=_detail("accounts:official_otp_reset", _target),
        expect=AGENCY_A_ADMINS,
        success=REDIRECT,
    ),
    # API base.
    Endpoint(
        "accounts_api:token",
        "POST",
        payload=_login_payload,
        expect=EVERYONE,
        success=frozenset({200}),
    ),
    Endpoint("accounts_api:token_revoke", "POST", expect=SIGNED_IN, success=frozenset({204})),
    Endpoint("accounts_api:me", "GET", expect=SIGNED_IN),
]
