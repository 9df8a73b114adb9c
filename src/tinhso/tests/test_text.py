"""Tests of `tinhso.text`: Vietnamese folding for search.

The real texts under data/text-vi/ are resolutions of the Standing Committee of the National
Assembly on the 2025 commune reorganisation (some not in NFC, as published) and the Viet22K
word list; their licences sit beside them.
"""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinhso.text import fold, fold_terms

DATA = Path(__file__).parent / "data" / "text-vi"
LEGAL_TEXTS = sorted(DATA.glob("*_NQ-UBTVQH15.md"))
VIETNAMESE_LETTERS = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)
vietnamese_text = st.text(
    alphabet=st.sampled_from(
        VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper() + " \t\n\u00a0-.,0123"
    ),
    max_size=60,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Xã Hòa Bình", "xa hoa binh"),
        ("Xã Hoà Bình", "xa hoa binh"),
        ("ĐÀ NẴNG", "da nang"),
        ("Phường  Phú\u00a0Xuân\n", "phuong phu xuan"),
        ("  Sở Nội vụ  ", "so noi vu"),
        ("Thủy / Thuỷ", "thuy / thuy"),
        ("H57.19753", "h57.19753"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_fold_examples(raw: str, expected: str) -> None:
    # when
    folded = fold(raw)

    # then
    assert folded == expected


def test_fold_equates_old_and_new_tone_placement() -> None:
    # given: the old (hoà) and new (hòa) placement of the tone mark
    old_style, new_style = "Hoà", "Hòa"

    # then
    assert old_style != new_style
    assert fold(old_style) == fold(new_style) == "hoa"


def test_fold_decomposed_equals_composed() -> None:
    # given
    composed = "Ủy ban nhân dân Phường Thuận Hóa"
    decomposed = unicodedata.normalize("NFD", composed)

    # then
    assert composed != decomposed
    assert fold(decomposed) == fold(composed) == "uy ban nhan dan phuong thuan hoa"


@given(vietnamese_text)
def test_fold_is_the_same_for_nfc_and_nfd(text: str) -> None:
    assert fold(unicodedata.normalize("NFD", text)) == fold(unicodedata.normalize("NFC", text))


@given(vietnamese_text)
def test_fold_of_vietnamese_is_plain_lowercase_ascii(text: str) -> None:
    # when
    folded = fold(text)

    # then
    assert folded.isascii()
    assert folded == folded.lower()
    assert "  " not in folded
    assert folded == folded.strip()


@given(st.text(max_size=40))
def test_fold_is_idempotent_and_removes_every_combining_mark(text: str) -> None:
    # when
    folded = fold(text)

    # then
    assert fold(folded) == folded
    assert not any(unicodedata.combining(ch) for ch in folded)
    assert fold(unicodedata.normalize("NFD", text)) == fold(unicodedata.normalize("NFC", text))


@given(st.lists(st.sampled_from(["Xã", "Hòa", "Hoà", "Bình", "ĐÔNG", "đông"]), max_size=6))
def test_fold_terms_are_distinct_folded_words(words: list[str]) -> None:
    # when
    terms = fold_terms(" ".join(words))

    # then
    assert len(terms) == len(set(terms))
    assert set(terms) == {fold(word) for word in words}


@pytest.mark.parametrize("path", LEGAL_TEXTS, ids=lambda p: p.name)
def test_fold_real_legal_texts_regardless_of_normalisation(path: Path) -> None:
    # given: the resolution as published (several are not NFC)
    text = path.read_text(encoding="utf-8")

    # when
    folded = fold(text)

    # then
    assert folded == fold(unicodedata.normalize("NFC", text))
    assert folded == fold(unicodedata.normalize("NFD", text))
    assert not any(unicodedata.combining(ch) for ch in folded)
    assert "uy ban thuong vu quoc hoi" in folded


def test_real_legal_texts_include_decomposed_characters() -> None:
    # The fixture must keep exercising mixed input: if someone normalises the files, say so.
    assert any(
        not unicodedata.is_normalized("NFC", path.read_text(encoding="utf-8"))
        for path in LEGAL_TEXTS
    )


def test_fold_word_list_gives_ascii_without_collisions_of_case() -> None:
    # given: 22,000 Vietnamese words and phrases
    words = (DATA / "Viet22K.txt").read_text(encoding="utf-8").splitlines()

    # when
    folded = [fold(word) for word in words]

    # then
    assert len(words) > 20_000
    assert all(item.isascii() for item in folded)
    assert fold("An Nam") == fold("an nam") == "an nam"


def test_fold_is_fast_enough_for_search_columns() -> None:
    # given
    names = [f"Ủy ban nhân dân Phường Thuận Hóa {n}" for n in range(20_000)]

    # when
    started = time.perf_counter()
    for name in names:
        fold(name)
    elapsed = time.perf_counter() - started

    # then: ~2 µs a name on the CI machines; a generous bound keeps the test stable
    assert elapsed < 1.0
