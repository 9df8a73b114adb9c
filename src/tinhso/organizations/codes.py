"""Electronic identification codes of agencies (mã định danh điện tử).

Quyết định 20/2020/QĐ-TTg, Điều 4 (amended by Quyết định 09/2025/QĐ-TTg): at most 35
characters of A–Z, 0–9 and dots, groups separated by dots and read left to right; the first
group is the level-1 code `MX1X2` (a letter A–Y and two digits), e.g. `H57`, `H57.01`.
The legacy QCVN 102 style (`000.00.00.H57`, level-1 code on the right) is still in the
traffic of the national interconnection axis, so both are accepted and stored as written.
"""

from __future__ import annotations

import re
from typing import Final

from django.utils.translation import gettext as _

MAX_LENGTH: Final = 35

_MODERN: Final = re.compile(r"^[A-Y][0-9]{2}(\.[0-9A-Z]{1,10})*$")
_LEGACY: Final = re.compile(r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Y][0-9]{2}$")


class InvalidIdentificationCode(ValueError):
    """The text is not an identification code under Quyết định 20/2020/QĐ-TTg."""


def normalize_identification_code(raw: str) -> str:
    """Return the code as stored (trimmed, upper case) or raise `InvalidIdentificationCode`.

    The message is translated: it is shown to the administrator who typed the code.
    """
    code = raw.strip().upper()
    if not code:
        raise InvalidIdentificationCode(_("Mã định danh không được để trống."))
    if len(code) > MAX_LENGTH:
        raise InvalidIdentificationCode(
            _("Mã định danh dài tối đa %(max)d ký tự (đang có %(length)d).")
            % {"max": MAX_LENGTH, "length": len(code)}
        )
    if not re.fullmatch(r"[0-9A-Z.]+", code):
        raise InvalidIdentificationCode(
            _("Mã định danh chỉ gồm chữ cái A–Z không dấu, chữ số 0–9 và dấu chấm.")
        )
    if _MODERN.match(code) or _LEGACY.match(code):
        return code
    raise InvalidIdentificationCode(
        _(
            "Mã định danh không đúng cấu trúc của Quyết định 20/2020/QĐ-TTg: "
            "nhóm đầu là mã cấp 1 gồm một chữ cái A–Y và hai chữ số (ví dụ H57 hoặc H57.01), "
            "hoặc kiểu cũ 000.00.00.H57."
        )
    )


def level1_code(code: str) -> str:
    """The level-1 group of a valid code, whichever of the two styles it is written in."""
    if _LEGACY.match(code):
        return code.rsplit(".", 1)[1]
    return code.split(".", 1)[0]
