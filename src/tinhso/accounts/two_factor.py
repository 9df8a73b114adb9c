"""Two-factor authentication (TOTP, RFC 6238) for officials: who needs it, the enrolment QR code.

Administrators (quan_tri_co_quan, quan_tri_tinh) and any account flagged `otp_required` must
confirm a TOTP device and present a code after the password. Others may enrol voluntarily.
"""

from __future__ import annotations

import math
from base64 import b32encode
from typing import Any
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from tinhso.accounts.access import actor_for

DEVICE_NAME = "default"

#: Session flag set at sign-in when the account has a confirmed device: whoever enrolled
#: (even voluntarily) must then pass the second factor, checked without a query per request.
ENROLLED_SESSION_KEY = "tinhso_otp_enrolled"


def requires_two_factor(user: Any) -> bool:
    """Whether the account must pass the second factor before using the platform.

    Administrators (by role), superusers and accounts flagged `otp_required`.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return (
        bool(getattr(user, "otp_required", False))
        or bool(getattr(user, "is_superuser", False))
        or actor_for(user).needs_two_factor
    )


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("pk").first()


def base32_secret(device: TOTPDevice) -> str:
    """The key as authenticator apps ask for it when typed by hand (RFC 4648 base32)."""
    return b32encode(device.bin_key).decode("ascii").rstrip("=")


def grouped(secret: str, size: int = 4) -> str:
    """ "JBSWY3DPEHPK3PXP" → "JBSW Y3DP EHPK 3PXP", easier to copy by hand."""
    return " ".join(secret[i : i + size] for i in range(0, len(secret), size))


def issuer() -> str:
    return f"tinhso {settings.TINHSO_PROVINCE_NAME}".replace(":", "")


def otpauth_url(device: TOTPDevice, username: str) -> str:
    """The Key URI that authenticator apps read from the QR code (Google's Key Uri Format)."""
    label = f"{issuer()}:{username}"
    params = urlencode(
        {
            "secret": base32_secret(device),
            "issuer": issuer(),
            "algorithm": "SHA1",
            "digits": device.digits,
            "period": device.step,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{quote(label)}?{params}"


def qr_svg(data: str, *, title: str) -> str:
    """An inline SVG QR code (segno), drawn on the server: no script and no outside service."""
    return str(
        segno.make(data, error="m").svg_inline(scale=5, border=2, title=title, svgclass="otp-qr")
    )


def token_error_message(throttle_info: dict[str, Any] | None) -> str:
    """What to tell a user whose code was refused (throttled or simply wrong)."""
    locked_until = (throttle_info or {}).get("locked_until")
    if locked_until is not None:
        seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
        return ngettext(
            "Bạn đã nhập sai mã nhiều lần; vui lòng chờ %(seconds)d giây rồi nhập mã mới.",
            "Bạn đã nhập sai mã nhiều lần; vui lòng chờ %(seconds)d giây rồi nhập mã mới.",
            seconds,
        ) % {"seconds": seconds}
    return _("Mã xác thực không đúng hoặc đã hết hạn; hãy nhập mã mới trong ứng dụng.")
