"""The seed of the calendar table, computed from the `holidays` package (no Django models).

`seed_days(from_year, to_year)` returns plain values: the data migration writes them with the
historical models, the `calendar_seed` command through `services.calendar_seed_apply`.

What holidays 0.109 gives, checked year by year for 2015–2035 (`holidays.VN`):

* the public holidays and Tết of the Labour Code (2012, Điều 115 until 2020; 2019, Điều 112
  from 2021), their observed days ("nghỉ bù") and Vietnam Cultural Day (24/11) from 2026;
* the swap days the Government announced (2015, 2018–2019, 2024, 2025, 2026), labelled in
  English `Day off (substituted from MM/DD/YYYY)` and in Vietnamese
  `Ngày nghỉ (thay cho ngày DD/MM/YYYY)`. The Saturday named in the label is the make-up
  working day, which the package does not list: we parse it and add it, even when it lies in
  the previous year (31/12/2018 off for Saturday 05/01/2019; 02/01/2015 for 27/12/2014);
* nothing about one-off closures (provincial decisions, added by the administrator).

Names are stored in Vietnamese (`language="vi"`); the English labels are parsed only for the
dates, in the month/day/year order the package uses.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from holidays import HolidayBase

#: The kinds of special day; the values are those of `models.DayKind`.
HOLIDAY = "holiday"
SWAP_OFF = "swap_off"
MAKEUP_WORKDAY = "makeup_workday"
CLOSURE = "closure"

#: The years every installation gets from the data migration.
SEED_FIRST_YEAR = 2015
SEED_LAST_YEAR = 2035
#: The years the `holidays` package computes sensibly; the command refuses others.
MIN_YEAR = 1995
MAX_YEAR = 2100

_SUBSTITUTED_EN = re.compile(r"substituted from (\d{2})/(\d{2})/(\d{4})")
_SUBSTITUTED_VI = re.compile(r"thay cho ngày (\d{2})/(\d{2})/(\d{4})")

#: The documents announcing each year's swap of working days, as cited by holidays 0.109
#: (keyed by the year of the day off). Other years: the administrator confirms the notice.
_SWAP_REFERENCES = {
    2018: "Công văn 6519/VPCP-KGVX năm 2018 của Văn phòng Chính phủ",
    2019: "Công văn 6519/VPCP-KGVX năm 2018 của Văn phòng Chính phủ",
    2024: "Công văn 2450/VPCP-KGVX năm 2024 của Văn phòng Chính phủ",
    2025: "Thông báo 6150/TB-BLĐTBXH năm 2024 của Bộ Lao động - Thương binh và Xã hội",
}


@dataclass(frozen=True, slots=True)
class SeedDay:
    date: dt.date
    kind: str
    name: str
    legal_reference: str


def _labour_code(year: int) -> str:
    if year <= 2020:
        return "Bộ luật Lao động 2012, Điều 115"
    return "Bộ luật Lao động 2019, Điều 112"


def _holiday_reference(year: int, name: str) -> str:
    if "Văn hóa Việt Nam" in name:
        return "Nghị quyết 80-NQ/TW; Bộ luật Lao động 2019, Điều 112"
    if "nghỉ bù" in name:
        if year <= 2020:
            return "Bộ luật Lao động 2012, Điều 115 khoản 3"
        return "Bộ luật Lao động 2019, Điều 111 khoản 3, Điều 112"
    return _labour_code(year)


def _swap_reference(year: int) -> str:
    known = _SWAP_REFERENCES.get(year)
    if known:
        return known
    return f"Thông báo hoán đổi ngày làm việc năm {year} (cần quản trị xác nhận số hiệu)"


def parse_substituted_from(label: str) -> dt.date | None:
    """The make-up date named in an English swap label (month/day/year), or None."""
    match = _SUBSTITUTED_EN.search(label)
    if match is None:
        return None
    month, day, year = (int(part) for part in match.groups())
    return dt.date(year, month, day)


def _parse_vi(label: str) -> dt.date | None:
    match = _SUBSTITUTED_VI.search(label)
    if match is None:
        return None
    day, month, year = (int(part) for part in match.groups())
    return dt.date(year, month, day)


def seed_days(from_year: int, to_year: int) -> list[SeedDay]:
    """The special days of [from_year, to_year] by date; make-up days follow their swap."""
    if not MIN_YEAR <= from_year <= to_year <= MAX_YEAR:
        raise ValueError(f"years must satisfy {MIN_YEAR} ≤ from ≤ to ≤ {MAX_YEAR}")
    # Imported here: the models import this module's constants at start-up, and the
    # package takes a while to load.
    import holidays

    years = range(from_year, to_year + 1)
    english = holidays.country_holidays("VN", years=years, language="en_US")
    vietnamese = holidays.country_holidays("VN", years=years, language="vi")
    return sorted(_days(english, vietnamese), key=lambda d: d.date)


def _days(english: HolidayBase, vietnamese: HolidayBase) -> Iterator[SeedDay]:
    for day in sorted(english):
        en_labels = english.get_list(day)
        vi_labels = vietnamese.get_list(day)
        name = "; ".join(vi_labels)
        makeup = next((d for d in map(parse_substituted_from, en_labels) if d), None)
        if makeup is None:
            yield SeedDay(day, HOLIDAY, name, _holiday_reference(day.year, name))
            continue
        if makeup not in {_parse_vi(label) for label in vi_labels}:
            # Both languages name the same Saturday, or the label format changed: stop
            # rather than seed a wrong working day.
            raise ValueError(f"swap label of {day} does not name {makeup} in Vietnamese")
        reference = _swap_reference(day.year)
        yield SeedDay(day, SWAP_OFF, name, reference)
        yield SeedDay(
            makeup,
            MAKEUP_WORKDAY,
            f"Ngày làm bù cho ngày nghỉ {day:%d/%m/%Y}",
            reference,
        )
