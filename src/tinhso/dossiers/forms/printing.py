"""How the one-stop forms write moments, dates, amounts and names. Pure functions.

Dates follow Nghị định 30/2020/NĐ-CP, Phụ lục I: a day below 10 and the months 1 and 2 take a
leading zero ("ngày 05 tháng 02 năm 2026", "ngày 15 tháng 6 năm 2026"). Every moment is shown
in Vietnam time (Asia/Ho_Chi_Minh), whatever zone it arrives in.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tinhso.workcalendar.arithmetic import TIMEZONE

#: Administrative prefixes dropped from a unit's name on the place-and-date line
#: ("Thành phố Huế" → "Huế, ngày …").
_PLACE_PREFIXES = ("Thành phố ", "Tỉnh ", "Phường ", "Xã ", "Thị trấn ", "Đặc khu ")


def local(moment: dt.datetime) -> dt.datetime:
    """`moment` in Vietnam time; a naive value is refused (its offset is unknown)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a moment printed on a form must carry its UTC offset")
    return moment.astimezone(TIMEZONE)


def day_number(day: int) -> str:
    return f"{day:02d}"


def month_number(month: int) -> str:
    """Months 1 and 2 take a leading zero, the others none (Nghị định 30/2020, Phụ lục I)."""
    return f"{month:02d}" if month < 3 else str(month)


def long_date(day: dt.date) -> str:
    """ "ngày 02 tháng 6 năm 2025"."""
    return f"ngày {day_number(day.day)} tháng {month_number(day.month)} năm {day.year}"


def long_moment(moment: dt.datetime) -> str:
    """ "09 giờ 05 phút, ngày 02 tháng 6 năm 2025" (Mẫu 01, items 4 and 5)."""
    at = local(moment)
    return f"{at.hour:02d} giờ {at.minute:02d} phút, {long_date(at.date())}"


def short_moment(moment: dt.datetime) -> str:
    """ "09 giờ 05 phút, ngày 02/06/2025" (the narrow columns of Mẫu 05)."""
    at = local(moment)
    return f"{at.hour:02d} giờ {at.minute:02d} phút, ngày {at:%d/%m/%Y}"


def short_date(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


def place_line(place: str, day: dt.date) -> str:
    """ "Huế, ngày 02 tháng 6 năm 2025": the place-and-date line under the national motto."""
    return f"{place}, {long_date(day)}" if place else long_date(day).capitalize()


def place_name(unit_name: str) -> str:
    """The place of issue from an administrative unit's name, without its prefix."""
    name = " ".join(unit_name.split())
    for prefix in _PLACE_PREFIXES:
        if name.lower().startswith(prefix.lower()) and len(name) > len(prefix):
            return name[len(prefix) :]
    return name


def amount(value: Decimal | int) -> str:
    """An amount of đồng with dots between thousands: 1.234.567."""
    whole = int(Decimal(value).to_integral_value())
    return f"{whole:,}".replace(",", ".")


def quantity(value: Decimal | int) -> str:
    """A legal time such as 5 or 2,5 (decimal comma, no trailing zeros)."""
    number = Decimal(value).normalize()
    if number == number.to_integral_value():
        return str(int(number))
    return format(number, "f").replace(".", ",")
