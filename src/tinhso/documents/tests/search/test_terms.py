"""The words of documents and queries (pure functions)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tinhso.documents.search.terms import (
    IndexTerms,
    exact_key,
    fts5_quote,
    parse_query,
    pg_quote,
    references,
)
from tinhso.text import fold

VIET22K = [
    line.strip()
    for line in (Path(__file__).parent / "data" / "Viet22K.txt").read_text("utf-8").splitlines()
    if line.strip()
]


def other_tone_placement(syllable: str) -> str:
    """The same syllable with the tone on the other vowel of oa/oe/uy (hoà ↔ hòa, thuý ↔
    thúy); the syllable itself when it has no such pair or no tone."""
    decomposed = unicodedata.normalize("NFD", syllable)
    letters = [c for c in decomposed if not unicodedata.combining(c)]
    base = "".join(letters).lower()
    tones = [c for c in decomposed if c in "\u0300\u0301\u0303\u0309\u0323"]
    if not tones or base.startswith("qu") or base[-2:] not in ("oa", "oe", "uy"):
        return syllable
    tone = tones[0]
    without = unicodedata.normalize("NFC", decomposed.replace(tone, ""))
    on_last = unicodedata.normalize("NFC", syllable)[-1] != without[-1]
    if on_last:  # old placement → new: tone on the first of the two vowels
        moved = without[:-2] + without[-2] + tone + without[-1]
    else:
        moved = without[:-1] + without[-1] + tone
    return unicodedata.normalize("NFC", moved)


def test_the_old_and_new_tone_placements_are_one_exact_key() -> None:
    # given the same words in both spellings
    pairs = [("hoà", "hòa"), ("Thuý", "Thúy"), ("khoẻ", "khỏe"), ("hoạ", "họa")]
    # then
    for old, new in pairs:
        assert other_tone_placement(old) == new
        assert exact_key(old) == exact_key(new)
        assert fold(old) == fold(new)
    # and an unaccented or differently toned word is another key
    assert exact_key("hòa") != exact_key("hoa")
    assert exact_key("hòa") != exact_key("hóa")
    assert exact_key("Đà") == "đa2"


@given(st.sampled_from(VIET22K))
def test_every_spelling_of_a_viet22k_word_folds_and_keys_alike(entry: str) -> None:
    # given a headword and its decomposed, upper-case and other-tone-placement spellings
    variants = [
        unicodedata.normalize("NFD", entry),
        entry.upper(),
        " ".join(other_tone_placement(s) for s in entry.split()),
    ]
    # then every spelling gives the same folded words and the same exact keys
    for variant in variants:
        assert parse_query(variant).words == parse_query(entry).words
        assert parse_query(variant).exact == parse_query(entry).exact


def test_a_reference_is_one_prefix_term_and_its_parts_are_words() -> None:
    # when
    whole = parse_query("15/QĐ-UBND")
    partial = parse_query("(15/QĐ),")
    parts = parse_query("qd-ubnd")
    # then
    assert whole.prefixes == ("15qdubnd",) and whole.words == ()
    assert whole.highlight == {"15", "qd", "ubnd"}
    assert partial.prefixes == ("15qd",)
    assert parts.words == ("qd", "ubnd") and parts.prefixes == ()
    assert references(fold("căn cứ Nghị quyết số 01/2025/NQ-HĐND ngày 16/6/2025")) == [
        "012025nqhdnd",
        "1662025",
    ]


@given(st.text(max_size=200))
def test_no_query_text_is_syntax(query: str) -> None:
    # when any text is parsed
    parsed = parse_query(query)
    # then every term is a run of letters and digits, quoted in both query languages
    for term in (*parsed.words, *parsed.prefixes):
        assert term and all(ch.isalnum() for ch in term)
    tsquery = parsed.tsquery()
    assert tsquery.count("'") == 2 * (len(parsed.words) + len(parsed.prefixes))
    match = parsed.fts5_match(("subject",))
    assert match.count('"') == 2 * (len(parsed.words) + len(parsed.prefixes))


def test_quoting_escapes_quotes() -> None:
    assert pg_quote("o'k\\") == "'o''k\\\\'"
    assert fts5_quote('a"b') == '"a""b"'


def test_a_document_vector_weights_its_fields_and_keeps_accented_keys_only() -> None:
    # given
    terms = IndexTerms()
    terms.add("15/QĐ-UBND", "A")
    terms.add("Quyết định về việc bổ nhiệm", "B")
    terms.add("Ủy ban nhân dân", "C")
    terms.add("quyết định " * 40, "D")
    # then
    vector = terms.tsvector()
    assert "'15qdubnd':4A" in vector
    assert "'ubnd':3A" in vector
    assert "'uy':11C" in vector
    quyet = next(part for part in vector.split(" ") if part.startswith("'quyet':"))
    assert quyet.startswith("'quyet':5B,15,")
    assert quyet.count(",") == 15  # at most 16 positions kept
    assert list(terms.exact) == [
        "qđ", "quyêt1", "đinh5", "vê2", "viêc5", "bô3", "nhiêm5", "uy3", "nhân", "dân"
    ]  # fmt: skip
    assert "ban" not in terms.exact  # no mark: the folded match says it all
    assert terms.column("C") == "uy ban nhan dan"
