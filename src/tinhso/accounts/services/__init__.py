"""Every write of the accounts app: `<entity>_<verb>(*, actor, ...)`, one transaction each,
with its audit row."""

from tinhso.accounts.services.common import ServiceActor
from tinhso.accounts.services.officials import (
    citizen_create,
    membership_add,
    membership_end,
    official_create,
    user_deactivate,
    user_reactivate,
)
from tinhso.accounts.services.passwords import user_password_change
from tinhso.accounts.services.tokens import api_token_issue, api_token_revoke
from tinhso.accounts.services.two_factor import otp_device_confirm, otp_device_start, otp_reset

__all__ = [
    "ServiceActor",
    "api_token_issue",
    "api_token_revoke",
    "citizen_create",
    "membership_add",
    "membership_end",
    "official_create",
    "otp_device_confirm",
    "otp_device_start",
    "otp_reset",
    "user_deactivate",
    "user_password_change",
    "user_reactivate",
]
