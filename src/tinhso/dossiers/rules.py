"""Pure rules of the one-stop dossier: codes, the status machine, applicant data, outcomes.

No Django models and no clock here: the services pass everything in, so the rules can be
tested exhaustively (and property-tested) on their own.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import IntEnum, StrEnum
from typing import Final

__all__ = [
    "TRANSITIONS",
    "Action",
    "S",
    "TransitionRefused",
    "dossier_code",
    "next_status",
    "normalize_phone",
    "outcome_of",
    "valid_cccd",
]


class S(IntEnum):
    """The ten statuses of the national list, mirrored from models.Status (kept pure here)."""

    NEW = 1
    RECEIVED = 2
    NOT_RECEIVED = 3
    PROCESSING = 4
    SUPPLEMENT = 5
    PAYMENT = 6
    WITHDRAWN = 7
    STOPPED = 8
    RESOLVED = 9
    RETURNED = 10


class Action(StrEnum):
    """Everything that may happen to a dossier; the API path segment is the value."""

    ACCEPT = "accept"  # the counter finds an online/post dossier complete (1 or 5 → 2)
    REQUEST_SUPPLEMENT = "request-supplement"  # Mẫu 02, at most once (NĐ 118/2025 Điều 11)
    SUPPLEMENT = "supplement"  # the applicant completes the dossier
    REFUSE = "refuse"  # Mẫu 03, not eligible
    TRANSFER = "transfer"  # the counter's hand-over to the resolving agency
    FORWARD = "forward"  # a step is done: to the next step
    SEND_BACK = "send-back"  # back one step, with a reason
    APPROVE = "approve"  # the leader approves the proposed result
    REQUEST_PAYMENT = "request-payment"  # a financial obligation is due
    PAY = "pay"
    APOLOGIZE = "apologize"  # Mẫu 04: apology and new appointment, once
    WITHDRAW = "withdraw"  # the applicant withdraws before a decision
    STOP = "stop"  # processing stops, with a reason
    RETURN_RESULT = "return-result"
    RATE = "rate"
    ATTACH_RESULT = "attach-result"


#: For each action, the statuses it may start from. The target status is decided by
#: `next_status` (some actions keep the status, some depend on the process).
TRANSITIONS: Final[dict[Action, frozenset[S]]] = {
    Action.ACCEPT: frozenset({S.NEW}),
    Action.REQUEST_SUPPLEMENT: frozenset({S.NEW, S.PROCESSING}),
    Action.SUPPLEMENT: frozenset({S.SUPPLEMENT}),
    Action.REFUSE: frozenset({S.NEW, S.SUPPLEMENT}),
    Action.TRANSFER: frozenset({S.RECEIVED}),
    Action.FORWARD: frozenset({S.PROCESSING}),
    Action.SEND_BACK: frozenset({S.PROCESSING}),
    Action.APPROVE: frozenset({S.PROCESSING}),
    Action.REQUEST_PAYMENT: frozenset({S.PROCESSING}),
    Action.PAY: frozenset({S.NEW, S.RECEIVED, S.PROCESSING, S.SUPPLEMENT, S.PAYMENT, S.RESOLVED}),
    Action.APOLOGIZE: frozenset({S.RECEIVED, S.PROCESSING, S.PAYMENT}),
    Action.WITHDRAW: frozenset({S.NEW, S.RECEIVED, S.PROCESSING, S.SUPPLEMENT, S.PAYMENT}),
    Action.STOP: frozenset({S.RECEIVED, S.PROCESSING, S.SUPPLEMENT, S.PAYMENT}),
    Action.RETURN_RESULT: frozenset({S.RESOLVED}),
    Action.RATE: frozenset({S.RETURNED}),
    Action.ATTACH_RESULT: frozenset({S.PROCESSING}),
}


class TransitionRefused(Exception):
    """An action that the dossier's state does not allow; `message` is for the user."""

    def __init__(self, message: str, *, code: str = "illegal_transition") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def allowed(action: Action, status: int) -> bool:
    return status in TRANSITIONS[action]


def next_status(
    action: Action, status: int, *, last_step: bool = False, in_processing: bool = False
) -> S:
    """The status after `action` from `status`.

    `last_step`: the step being completed hands over to the return step (the result is ready).
    `in_processing`: a supplement answered while processing resumes processing; one answered
    at reception makes the dossier received.
    """
    current = S(status)
    match action:
        case Action.ACCEPT:
            return S.RECEIVED
        case Action.REQUEST_SUPPLEMENT:
            return S.SUPPLEMENT
        case Action.SUPPLEMENT:
            return S.PROCESSING if in_processing else S.RECEIVED
        case Action.REFUSE:
            return S.NOT_RECEIVED
        case Action.TRANSFER | Action.SEND_BACK:
            return S.PROCESSING
        case Action.FORWARD | Action.APPROVE:
            return S.RESOLVED if last_step else S.PROCESSING
        case Action.REQUEST_PAYMENT:
            return S.PAYMENT
        case Action.PAY:
            return S.PROCESSING if current == S.PAYMENT else current
        case Action.WITHDRAW:
            return S.WITHDRAWN
        case Action.STOP:
            return S.STOPPED
        case Action.RETURN_RESULT:
            return S.RETURNED
        case Action.APOLOGIZE | Action.RATE | Action.ATTACH_RESULT:
            return current


# --- Codes -----------------------------------------------------------------------------------


def dossier_code(agency_code: str, day: dt.date, sequence: int) -> str:
    """Mã hồ sơ `{mã định danh}-{yyMMdd}-{NNNN}` (vn-onestop §3.1, provincial practice).

    The sequence restarts at 1 each day per receiving agency, at least four digits.
    """
    if sequence < 1:
        raise ValueError("the sequence starts at 1")
    return f"{dossier_code_prefix(agency_code, day)}{sequence:04d}"


def dossier_code_prefix(agency_code: str, day: dt.date) -> str:
    """The code without its sequence: `{mã định danh}-{yyMMdd}-`."""
    return f"{agency_code}-{day:%y%m%d}-"


CODE_RE: Final = re.compile(r"^[A-Z0-9.]{1,35}-\d{6}-\d{4,}$")


# --- Applicant data ----------------------------------------------------------------------------

_CCCD_RE: Final = re.compile(r"^\d{12}$")
_CMND_RE: Final = re.compile(r"^\d{9}$")
_PHONE_RE: Final = re.compile(r"^0(3|5|7|8|9)\d{8}$|^02\d{9}$")


def valid_cccd(value: str) -> bool:
    """A citizen identity card (căn cước) number: 12 digits; the first three are the
    province of registration (001–096) — Thông tư 59/2021/TT-BCA Điều 7 [S]."""
    if not _CCCD_RE.match(value):
        return False
    return 1 <= int(value[:3]) <= 96


def valid_old_id(value: str) -> bool:
    """The old 9-digit chứng minh nhân dân, still on many papers."""
    return bool(_CMND_RE.match(value))


def normalize_phone(value: str) -> str | None:
    """A Vietnamese phone number as 10 (mobile) or 11 (landline 02x) digits, or None.

    Spaces, dots and dashes are ignored; +84 / 84 is read as the leading 0.
    """
    digits = re.sub(r"[\s.\-()]", "", value)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    return digits if _PHONE_RE.match(digits) else None


def mask_name(name: str) -> str:
    """What the public may see of a name: initials of the family and middle names, and the
    first letter of the given name ("Nguyễn Văn An" → "N. V. A***")."""
    parts = name.split()
    if not parts:
        return ""
    *rest, given = parts
    return " ".join([*(f"{p[0]}." for p in rest), f"{given[0]}***"])


# --- Outcomes on the control slip ------------------------------------------------------------


def outcome_of(done_at: dt.datetime, due_at: dt.datetime, tz: dt.tzinfo) -> str:
    """`early`, `on_time` or `late` for a step done at `done_at` against `due_at`.

    The law names the three outcomes (trước hạn / đúng hạn / quá hạn, Thông tư 01/2018 Mẫu 05)
    without drawing the line between the first two [I]: a step done on an earlier local day
    than its due day is early, one done on the due day (not after the due time) on time.
    """
    if done_at > due_at:
        return "late"
    if done_at.astimezone(tz).date() < due_at.astimezone(tz).date():
        return "early"
    return "on_time"
