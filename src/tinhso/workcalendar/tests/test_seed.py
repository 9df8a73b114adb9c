"""The seed computed from holidays 0.109: swaps come with their make-up Saturdays."""

from __future__ import annotations

import datetime as dt

import pytest

from tinhso.workcalendar import seed
from tinhso.workcalendar.models import DayKind


@pytest.fixture(scope="module")
def days() -> dict[dt.date, seed.SeedDay]:
    return {d.date: d for d in seed.seed_days(seed.SEED_FIRST_YEAR, seed.SEED_LAST_YEAR)}


def test_2024_swap_brings_its_make_up_saturday(days: dict[dt.date, seed.SeedDay]) -> None:
    swap = days[dt.date(2024, 4, 29)]
    makeup = days[dt.date(2024, 5, 4)]
    assert swap.kind == seed.SWAP_OFF
    assert swap.name == "Ngày nghỉ (thay cho ngày 04/05/2024)"
    assert makeup.kind == seed.MAKEUP_WORKDAY
    assert makeup.name == "Ngày làm bù cho ngày nghỉ 29/04/2024"
    assert "2450/VPCP-KGVX" in swap.legal_reference == makeup.legal_reference


def test_every_announced_swap_is_paired_with_a_saturday(days: dict[dt.date, seed.SeedDay]) -> None:
    swaps = sorted(d for d, v in days.items() if v.kind == seed.SWAP_OFF)
    makeups = sorted(d for d, v in days.items() if v.kind == seed.MAKEUP_WORKDAY)
    assert swaps == [
        dt.date(2015, 1, 2),
        dt.date(2015, 2, 16),
        dt.date(2015, 4, 29),
        dt.date(2018, 12, 31),
        dt.date(2019, 4, 29),
        dt.date(2024, 4, 29),
        dt.date(2025, 5, 2),
        dt.date(2026, 8, 31),
    ]
    assert makeups == [
        dt.date(2014, 12, 27),
        dt.date(2015, 2, 14),
        dt.date(2015, 4, 25),
        dt.date(2019, 1, 5),
        dt.date(2019, 5, 4),
        dt.date(2024, 5, 4),
        dt.date(2025, 4, 26),
        dt.date(2026, 8, 22),
    ]
    assert all(d.weekday() == 5 for d in makeups)
    assert all(d.weekday() < 5 for d in swaps)


def test_names_are_vietnamese_and_holidays_are_cited(days: dict[dt.date, seed.SeedDay]) -> None:
    assert days[dt.date(2025, 1, 29)].name == "Tết Nguyên Đán"
    assert days[dt.date(2025, 9, 2)].name == "Quốc khánh"
    assert days[dt.date(2025, 9, 1)].name == "Quốc khánh"
    assert days[dt.date(2025, 9, 2)].legal_reference == "Bộ luật Lao động 2019, Điều 112"
    assert days[dt.date(2016, 5, 2)].legal_reference == "Bộ luật Lao động 2012, Điều 115 khoản 3"
    assert all(d.name and d.legal_reference for d in days.values())


def test_kinds_match_the_model() -> None:
    assert {seed.HOLIDAY, seed.SWAP_OFF, seed.MAKEUP_WORKDAY, seed.CLOSURE} == set(DayKind.values)


def test_same_result_every_time() -> None:
    assert seed.seed_days(2024, 2025) == seed.seed_days(2024, 2025)


def test_english_label_is_month_first() -> None:
    assert seed.parse_substituted_from("Day off (substituted from 05/04/2024)") == dt.date(
        2024, 5, 4
    )
    assert seed.parse_substituted_from("National Day") is None


def test_refuses_years_outside_what_the_package_knows() -> None:
    with pytest.raises(ValueError, match="years"):
        seed.seed_days(2030, 2020)
    with pytest.raises(ValueError, match="years"):
        seed.seed_days(1900, 2020)
