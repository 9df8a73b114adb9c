"""Pure rules of the catalogue: the procedure code and the legal time in working hours.

No Django models, no clock: the services, the importer and the pages call these.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Final

from django.utils.translation import gettext as _

from tinhso.workcalendar.arithmetic import HOURS_PER_WORKING_DAY

#: Mã TTHC of the national database (Cơ sở dữ liệu quốc gia về TTHC): a digit 1–3, a dot and
#: six digits, optionally followed by a suffix naming a local variant (`1.012753.H19`).
#: vn-onestop §3.4.
CODE_PATTERN: Final = re.compile(r"^[1-3]\.\d{6}(\.[A-Z0-9.]{1,30})?$")
#: Codes of the old catalogue (before the national database was migrated), e.g. BTP-HCM-277133.
_LEGACY_PATTERN: Final = re.compile(r"^[A-ZĐ]{2,6}-[A-Z0-9]{1,6}-\d{3,}$", re.IGNORECASE)

#: Working days in a month, for the upper bound of a time given in months.
WORKING_DAYS_PER_MONTH: Final = 22


class InvalidProcedureCode(ValueError):
    """A code that is not a national-database code; the message is in Vietnamese."""


def normalize_procedure_code(raw: str) -> str:
    """The code trimmed and upper-cased, or InvalidProcedureCode with the reason.

    `1.001193` and `1.012753.H19` are accepted; codes of the old catalogue such as
    `BTP-HCM-277133` are refused with a message saying which form is expected.
    """
    code = "".join(raw.split()).upper()
    if not code:
        raise InvalidProcedureCode(_("Mã thủ tục không được để trống."))
    if CODE_PATTERN.match(code):
        return code
    if _LEGACY_PATTERN.match(code):
        raise InvalidProcedureCode(
            _(
                "“%(code)s” là mã thủ tục kiểu cũ (trước khi chuyển sang Cơ sở dữ liệu quốc gia "
                "về TTHC), không được chấp nhận; hãy dùng mã mới dạng 1.001193."
            )
            % {"code": code}
        )
    raise InvalidProcedureCode(
        _(
            "Mã thủ tục “%(code)s” không đúng định dạng: một chữ số từ 1 đến 3, dấu chấm và "
            "sáu chữ số (ví dụ 1.001193), có thể thêm hậu tố như 1.012753.H19."
        )
        % {"code": code[:60]}
    )


def legal_hours(amount: Decimal, unit: str) -> Decimal:
    """The legal time as an upper bound in working hours, to check a process against.

    - working days: × 8 (`HOURS_PER_WORKING_DAY`, one working day is 8 working hours);
    - working hours: as is;
    - calendar days: × 8 — N calendar days hold at most N working days, so this is an upper
      bound (the real number of working hours depends on the day the dossier is received);
    - months: × 22 × 8 — a month holds at most 22 working days (23 in a few months with no
      holiday; 22 is the usual convention of the one-stop practice), again an upper bound.

    The internal process of a procedure must fit in this bound: a process that needs more
    working hours than the law allows could never end on time.
    """
    per_unit = {
        "working_days": Decimal(HOURS_PER_WORKING_DAY),
        "working_hours": Decimal(1),
        "calendar_days": Decimal(HOURS_PER_WORKING_DAY),
        "months": Decimal(WORKING_DAYS_PER_MONTH * HOURS_PER_WORKING_DAY),
    }.get(unit)
    if per_unit is None:
        raise ValueError(f"unknown time unit {unit!r}")
    return amount * per_unit
