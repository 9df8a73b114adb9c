"""The pure numbering rules of Nghị định 30/2020 (Điều 15, Phụ lục I): numbers, notations,
references and the Vietnamese year, with hypothesis."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinhso.documents.kinds import DOCUMENT_TYPES, LETTER_TYPES
from tinhso.documents.numbering import (
    NOTATION_MAX,
    NotationError,
    build_notation,
    clean_notation,
    clean_number,
    format_number,
    split_reference,
    vietnam_date,
    vietnam_year,
)

UTC = dt.UTC
TYPE_CODES = [t.code for t in DOCUMENT_TYPES]
#: Agency and unit abbreviations as agencies write them (Vietnamese capitals included).
ABBREVIATION = st.text(
    alphabet="ABCDEFGHIKLMNOPQRSTUVXYĐ", min_size=1, max_size=8
) | st.sampled_from(["UBND", "SNV", "STC", "SGDĐT", "HĐND", "VX", "TCBC", "LĐVL", "KT"])


# --- format_number ----------------------------------------------------------------------------


@given(st.integers(min_value=1, max_value=9))
def test_numbers_below_ten_carry_a_leading_zero(n: int) -> None:
    assert format_number(n) == f"0{n}"


@given(st.integers(min_value=10, max_value=10**9))
def test_numbers_from_ten_are_written_as_they_are(n: int) -> None:
    assert format_number(n) == str(n)


@given(st.integers(min_value=1, max_value=10**6), st.integers(min_value=0, max_value=6))
def test_a_formatted_number_reads_back_and_is_at_least_as_wide_as_asked(n: int, width: int) -> None:
    printed = format_number(n, width)
    assert int(printed) == n
    assert len(printed) >= max(width, 1)
    assert clean_number(printed) == printed


@given(st.integers(max_value=0))
def test_there_is_no_number_below_one(n: int) -> None:
    with pytest.raises(ValueError, match="start at 1"):
        format_number(n)


# --- build_notation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("doc_type", "agency", "unit", "expected"),
    [
        ("QĐ", "UBND", "", "QĐ-UBND"),
        ("QĐ", "UBND", "VX", "QĐ-UBND"),  # the unit is for công văn only
        ("TTr", "SNV", "", "TTr-SNV"),
        ("QyĐ", "UBND", "", "QyĐ-UBND"),
        ("CV", "UBND", "", "UBND"),
        ("CV", "UBND", "VX", "UBND-VX"),
        ("CV", " SNV ", " TCBC ", "SNV-TCBC"),
        ("THC", "STC", "", "STC"),
    ],
)
def test_notation_of_phu_luc_i(doc_type: str, agency: str, unit: str, expected: str) -> None:
    assert build_notation(doc_type, agency, unit) == expected


@given(st.sampled_from(TYPE_CODES), ABBREVIATION, ABBREVIATION | st.just(""))
def test_a_built_notation_is_one_a_receiver_accepts(doc_type: str, agency: str, unit: str) -> None:
    notation = build_notation(doc_type, agency, unit)
    assert clean_notation(notation) == notation
    assert len(notation) <= NOTATION_MAX
    if doc_type in LETTER_TYPES:
        assert notation.split("-")[0] == agency
    else:
        assert (
            notation
            == f"{next(t.abbreviation for t in DOCUMENT_TYPES if t.code == doc_type)}-{agency}"
        )


@given(st.text(alphabet="ABCDEFGHKLMNPQRSTUVX", min_size=NOTATION_MAX, max_size=40))
def test_a_notation_longer_than_thirty_characters_is_refused(agency: str) -> None:
    with pytest.raises(NotationError, match="dài quá 30 ký tự"):
        build_notation("QĐ", agency)


def test_a_notation_needs_an_agency_abbreviation_and_a_known_type() -> None:
    with pytest.raises(NotationError, match="chưa có tên viết tắt"):
        build_notation("QĐ", "  ")
    with pytest.raises(NotationError, match="không có trong danh mục"):
        build_notation("XYZ", "UBND")


@pytest.mark.parametrize("unit", ["V X", "VX-", "-VX", "V--X"])
def test_a_unit_that_would_make_a_malformed_notation_is_refused(unit: str) -> None:
    # what a receiver does with the notation: clean_notation refuses every one of these
    with pytest.raises(NotationError):
        clean_notation(f"UBND-{unit}")
    # so the sender must not build it
    with pytest.raises(NotationError):
        build_notation("CV", "UBND", unit)


def test_a_unit_ending_in_a_slash_is_refused_though_a_receiver_would_trim_it() -> None:
    assert clean_notation("UBND-V/") == "UBND-V"
    with pytest.raises(NotationError):
        build_notation("CV", "UBND", "V/")


# --- clean_number / clean_notation / split_reference -----------------------------------------


@pytest.mark.parametrize("number", ["2491", "15", "01", "125a", "7B", " 15 "])
def test_real_numbers_are_accepted(number: str) -> None:
    assert clean_number(number) == number.strip()


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("", "Chưa nhập số văn bản"),
        ("   ", "Chưa nhập số văn bản"),
        ("1 5", "không hợp lệ"),
        ("15/", "không hợp lệ"),
        ("-15", "không hợp lệ"),
        ("15ab", "không hợp lệ"),
        ("a15", "không hợp lệ"),
        ("１５", "không hợp lệ"),  # full-width digits
        ("١٥", "không hợp lệ"),  # Arabic-Indic digits
        ("15📄", "không hợp lệ"),
        ("1234567890", "không hợp lệ"),
    ],
)
def test_malformed_numbers_are_refused_with_a_message(number: str, message: str) -> None:
    with pytest.raises(NotationError, match=message):
        clean_number(number)


@pytest.mark.parametrize("number", ["0", "00", "000"])
def test_number_zero_is_refused(number: str) -> None:
    with pytest.raises(NotationError):
        clean_number(number)


@given(st.integers(min_value=1, max_value=999_999_999), st.sampled_from(["", "a", "B"]))
def test_every_printed_number_is_accepted(n: int, letter: str) -> None:
    assert clean_number(f"{n}{letter}") == f"{n}{letter}"


@pytest.mark.parametrize(
    "notation",
    ["STC-BCTC", "QĐ-UBND", "TTr-SNV", "UBND-VX", "QĐ-UBND.VP", "TTr-SNV/TCBC", "HĐND", "QyĐ-UBND"],
)
def test_real_notations_are_accepted(notation: str) -> None:
    assert clean_notation(notation) == notation
    assert clean_notation(f" /{notation}/ ") == notation


@pytest.mark.parametrize(
    ("notation", "message"),
    [
        ("", "Chưa nhập ký hiệu"),
        (" / ", "Chưa nhập ký hiệu"),
        ("QĐ UBND", "viết liền"),
        ("QĐ--UBND", "viết liền"),
        ("-QĐ-UBND", "viết liền"),
        ("QĐ-UBND-", "viết liền"),
        ("_UBND", "viết liền"),
        ("QĐ-UBND📄", "viết liền"),
        ("📄", "viết liền"),
        ("QĐ\tUBND", "viết liền"),
        ("QĐ-UBND\u200b", "viết liền"),  # a zero-width space pasted from a web page
        ("A" * 31, "dài quá 30 ký tự"),
        ("QĐ-" + "UBND" * 7, "dài quá 30 ký tự"),
    ],
)
def test_malformed_notations_are_refused_with_a_message(notation: str, message: str) -> None:
    with pytest.raises(NotationError, match=message):
        clean_notation(notation)


@given(st.text(max_size=40))
def test_clean_notation_either_refuses_or_returns_a_tidy_notation(text: str) -> None:
    try:
        notation = clean_notation(text)
    except NotationError as exc:
        assert str(exc)  # a message for the user, never an empty one
        return
    assert 1 <= len(notation) <= NOTATION_MAX
    assert notation == notation.strip()
    assert " " not in notation and "--" not in notation
    assert notation[0] not in "-./&" and notation[-1] not in "-./&"
    assert clean_notation(notation) == notation  # idempotent


@given(st.text(max_size=20))
def test_clean_number_either_refuses_or_returns_digits(text: str) -> None:
    try:
        number = clean_number(text)
    except NotationError:
        return
    digits = number[:-1] if number[-1].isalpha() else number
    assert number.isascii() and digits.isdigit()
    assert number == number.strip() and 1 <= len(number) <= 10


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("125/UBND-VX", ("125", "UBND-VX")),
        ("15/QĐ-UBND", ("15", "QĐ-UBND")),
        ("2491/STC-BCTC", ("2491", "STC-BCTC")),
        (" 07/TTr-SNV ", ("07", "TTr-SNV")),
        ("12/TTr-SNV/TCBC", ("12", "TTr-SNV/TCBC")),
    ],
)
def test_split_reference(reference: str, expected: tuple[str, str]) -> None:
    assert split_reference(reference) == expected


@pytest.mark.parametrize("reference", ["QĐ-UBND", "/QĐ-UBND", "15/", "15 /QĐ UBND", "a/b/c"])
def test_split_reference_refuses_half_references(reference: str) -> None:
    with pytest.raises(NotationError):
        split_reference(reference)


@given(st.integers(min_value=1, max_value=99_999), st.sampled_from(TYPE_CODES), ABBREVIATION)
def test_a_printed_reference_splits_back(n: int, doc_type: str, agency: str) -> None:
    number, notation = format_number(n), build_notation(doc_type, agency)
    assert split_reference(f"{number}/{notation}") == (number, notation)


def test_the_same_notation_composed_or_decomposed_is_accepted() -> None:
    # Đ has no decomposition, so NFC and NFD of a usual notation are the same text
    assert clean_notation(unicodedata.normalize("NFD", "QĐ-UBND")) == "QĐ-UBND"


# --- The Vietnamese year ---------------------------------------------------------------------


def test_the_year_turns_at_midnight_in_ha_noi() -> None:
    assert vietnam_year(dt.datetime(2026, 12, 31, 16, 59, 59, tzinfo=UTC)) == 2026
    assert vietnam_year(dt.datetime(2026, 12, 31, 17, 0, 0, tzinfo=UTC)) == 2027
    assert vietnam_date(dt.datetime(2026, 12, 31, 17, 0, 0, tzinfo=UTC)) == dt.date(2027, 1, 1)


@given(
    st.datetimes(
        # UTC+7 all through since 1975 (the South kept UTC+8 until then)
        min_value=dt.datetime(1976, 1, 1),
        max_value=dt.datetime(2200, 1, 1),
        timezones=st.just(UTC),
    )
)
def test_the_vietnamese_year_is_the_year_seven_hours_later(moment: dt.datetime) -> None:
    assert vietnam_year(moment) == (moment + dt.timedelta(hours=7)).year
    assert vietnam_date(moment) == (moment + dt.timedelta(hours=7)).date()


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        vietnam_year(dt.datetime(2026, 12, 31, 23, 0))
    with pytest.raises(ValueError, match="aware"):
        vietnam_date(dt.datetime(2026, 12, 31, 23, 0))
