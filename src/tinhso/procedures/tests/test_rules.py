"""The pure rules: the procedure code and the legal time in working hours."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinhso.procedures.rules import InvalidProcedureCode, legal_hours, normalize_procedure_code


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("1.001193", "1.001193"),
        ("  2.000908 ", "2.000908"),
        ("1.012753.H19", "1.012753.H19"),
        ("1.012753.h19", "1.012753.H19"),
        ("3.000283", "3.000283"),
    ],
)
def test_codes_of_the_national_database_are_accepted(raw: str, code: str) -> None:
    assert normalize_procedure_code(raw) == code


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("BTP-HCM-277133", "kiểu cũ"),
        ("btp-hno-277133", "kiểu cũ"),
        ("4.001193", "không đúng định dạng"),
        ("1.0011930", "không đúng định dạng"),
        ("1.001193.", "không đúng định dạng"),
        ("1.001193.H-19", "không đúng định dạng"),
        ("1001193", "không đúng định dạng"),
        ("", "không được để trống"),
    ],
)
def test_other_codes_are_refused_with_the_reason(raw: str, message: str) -> None:
    with pytest.raises(InvalidProcedureCode) as caught:
        normalize_procedure_code(raw)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("amount", "unit", "hours"),
    [
        ("5", "working_days", "40"),
        ("0.5", "working_days", "4"),
        ("24", "working_hours", "24"),
        ("14", "calendar_days", "112"),
        ("1", "months", "176"),
    ],
)
def test_legal_hours_per_unit(amount: str, unit: str, hours: str) -> None:
    assert legal_hours(Decimal(amount), unit) == Decimal(hours)


def test_an_unknown_unit_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown time unit"):
        legal_hours(Decimal(1), "weeks")


@given(st.integers(min_value=0, max_value=10_000))
def test_calendar_days_never_bound_tighter_than_as_many_working_days(days: int) -> None:
    # N calendar days hold at most N working days: the bound is the same, never smaller
    assert legal_hours(Decimal(days), "calendar_days") == legal_hours(Decimal(days), "working_days")
