"""Document numbers and notations: pure rules of Nghị định 30/2020, no clock, no database.

- Điều 15: numbers run in issuance order within the year, from 01 on 1 January to 31 December;
  number plus notation is unique per agency per year.
- Phụ lục I: numbers below 10 are written with a leading 0; the notation is the type's
  abbreviation and the agency's abbreviation joined by "-" (`15/QĐ-UBND`); a công văn has
  no type abbreviation and may carry the drafting unit or field (`125/UBND-VX`).
- The year is Vietnam's: a document issued at 23:30 UTC on 31 December is already in the
  new year in Hà Nội (UTC+7).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from tinhso.documents.kinds import LETTER_TYPES, TYPES_BY_CODE

VIETNAM: Final = ZoneInfo("Asia/Ho_Chi_Minh")
#: edXML CodeNumber ≤ 11, CodeNotation ≤ 30 (QCVN 102:2016; vn-eoffice.md §2.2).
NUMBER_MAX: Final = 11
NOTATION_MAX: Final = 30

# Letters (Vietnamese included), digits, and the separators notations use: QĐ-UBND, STC-BCTC,
# UBND-VX, QĐ-UBND.VP, TTr-SNV/TCBC. No spaces, no leading or trailing separator.
_NOTATION = re.compile(r"^[^\W_](?:[\w.&/-]*[^\W_])?$")
# Numbers start at 01 (Điều 15): "0", "00" are not numbers.
_NUMBER = re.compile(r"^(?!0+[a-zA-Z]?$)[0-9]{1,9}[a-zA-Z]?$")


class NotationError(ValueError):
    """A number or notation that does not follow Phụ lục I; the message is for the user."""


def vietnam_year(moment: dt.datetime) -> int:
    """The calendar year in Vietnam of an aware moment."""
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is needed")
    return moment.astimezone(VIETNAM).year


def vietnam_date(moment: dt.datetime) -> dt.date:
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is needed")
    return moment.astimezone(VIETNAM).date()


def format_number(number: int, width: int = 2) -> str:
    """`7` → `07`: numbers below 10 carry a leading zero (Phụ lục I)."""
    if number < 1:
        raise ValueError("document numbers start at 1")
    return str(number).zfill(max(width, 1))


def build_notation(doc_type: str, agency_short_name: str, unit: str = "") -> str:
    """`QĐ-UBND`; a công văn: `UBND` or `UBND-VX` with the drafting unit or field."""
    agency = agency_short_name.strip()
    if not agency:
        raise NotationError(_("Cơ quan chưa có tên viết tắt để ghi ký hiệu văn bản."))
    kind = TYPES_BY_CODE.get(doc_type)
    if kind is None:
        raise NotationError(
            _("Loại văn bản “%(type)s” không có trong danh mục.") % {"type": doc_type}
        )
    if doc_type in LETTER_TYPES:
        parts = [agency, unit.strip()] if unit.strip() else [agency]
    else:
        parts = [kind.abbreviation, agency]
    notation = "-".join(parts)
    if len(notation) > NOTATION_MAX:
        raise NotationError(
            _("Ký hiệu “%(notation)s” dài quá %(max)d ký tự (QCVN 102:2016).")
            % {"notation": notation, "max": NOTATION_MAX}
        )
    if not _NOTATION.match(notation) or "--" in notation:
        raise NotationError(
            _(
                "Ký hiệu “%(notation)s” không hợp lệ: tên viết tắt của cơ quan, đơn vị viết liền, "
                "không có khoảng trắng, không bắt đầu hay kết thúc bằng dấu “-”."
            )
            % {"notation": notation}
        )
    return notation


def clean_number(value: str) -> str:
    """A document number as written by its issuer: digits, perhaps one letter (`15`, `125a`)."""
    number = value.strip()
    if not number:
        raise NotationError(_("Chưa nhập số văn bản."))
    if len(number) > NUMBER_MAX or not _NUMBER.match(number):
        raise NotationError(
            _(
                "Số văn bản “%(number)s” không hợp lệ: chỉ gồm chữ số, bắt đầu từ 01 (có thể thêm "
                "một chữ cái), tối đa %(max)d ký tự."
            )
            % {"number": number, "max": NUMBER_MAX}
        )
    return number


def clean_notation(value: str) -> str:
    """A notation as written by its issuer (`QĐ-UBND`), checked for shape and length."""
    notation = value.strip().strip("/").strip()
    if not notation:
        raise NotationError(_("Chưa nhập ký hiệu văn bản."))
    if len(notation) > NOTATION_MAX:
        raise NotationError(_("Ký hiệu văn bản dài quá %(max)d ký tự.") % {"max": NOTATION_MAX})
    if not _NOTATION.match(notation) or "--" in notation:
        raise NotationError(
            _(
                "Ký hiệu “%(notation)s” không hợp lệ: viết liền, các phần nối bằng dấu “-” "
                "(ví dụ QĐ-UBND)."
            )
            % {"notation": notation}
        )
    return notation


def split_reference(value: str) -> tuple[str, str]:
    """`15/QĐ-UBND` → (`15`, `QĐ-UBND`): the number is what stands before the first slash."""
    number, _slash, notation = value.strip().partition("/")
    return clean_number(number), clean_notation(notation)
