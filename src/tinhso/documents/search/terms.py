"""Words of Vietnamese documents and queries, as both index backends store them: pure functions.

Three forms of a word:

- the folded word (`tinhso.text.fold`): no marks, đ→d, lower case. Matching uses only this
  form, so "quyet dinh", "Quyết định", its decomposed (NFD) spelling and the old tone placement
  ("Hoà" for "Hòa") all find each other;
- the exact key: the word with its vowel marks (ă â ê ô ơ ư đ) but its tone taken off and
  written as a digit at the end ("hòa" and "hoà" → "hoa2"). A query's accented words that
  match a document's exact keys rank that document above accent-free matches;
- the compact reference: a số và ký hiệu ("15/QĐ-UBND", "01/2025/NQ-HĐND") with everything
  but letters and digits removed ("15qdubnd"), so that a typed reference finds the one
  document (and a partial one, "15/QĐ", finds it as a prefix) rather than every document
  holding "15", "qd" and "ubnd" somewhere.

A word is a run of letters and digits (`str.isalnum`) of the NFC text; SQLite's unicode61
tokenizer splits the same way, so the words stored there are the words written here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from tinhso.text import fold

#: A word: letters and digits (not the underscore `\w` also takes).
WORD_RE: Final = re.compile(r"[^\W_]+")
#: A reference in folded text: a number, then "/"-separated parts of letters and digits
#: joined by "-" or ".": 15/qd-ubnd, 01/2025/nq-hdnd, 1670/nq-ubtvqh15, 123/ubnd-vp.
REFERENCE_RE: Final = re.compile(r"(?<![0-9a-z])\d[0-9a-z]*(?:/[0-9a-z]+(?:[-.][0-9a-z]+)*)+")
_NOT_WORD: Final = re.compile(r"[\W_]+")

#: The five marked tones of Vietnamese as combining marks (NFD), with their digits.
TONE_DIGITS: Final = {
    "\u0301": "1",  # sắc
    "\u0300": "2",  # huyền
    "\u0309": "3",  # hỏi
    "\u0303": "4",  # ngã
    "\u0323": "5",  # nặng
}

#: PostgreSQL keeps at most 256 positions per lexeme and positions up to 16383; far fewer
#: are kept here: ranking needs a few occurrences, and a small vector is read faster.
MAX_POSITIONS: Final = 16
MAX_POSITION: Final = 16383
#: Terms of a query beyond these are dropped (each adds an index lookup).
MAX_QUERY_WORDS: Final = 10
MAX_QUERY_CHARS: Final = 500


def words(text: str) -> list[str]:
    """The words of `text` as written (NFC), in order."""
    return WORD_RE.findall(unicodedata.normalize("NFC", text))


def folded_words(text: str) -> list[str]:
    """The folded words of `text`, in order."""
    return WORD_RE.findall(fold(text))


def exact_key(word: str) -> str:
    """The word lower-cased with its vowel marks, the tone moved to a final digit."""
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFD", word).casefold())
    tone = ""
    kept: list[str] = []
    for char in decomposed:
        digit = TONE_DIGITS.get(char)
        if digit is None:
            kept.append(char)
        else:
            tone = digit
    return unicodedata.normalize("NFC", "".join(kept)) + tone


def accented_keys(text: str) -> list[str]:
    """The exact keys of the words of `text` that carry any mark or đ (distinct, in order).

    A word without marks is its own folded form: an exact match says nothing more than the
    folded match does, so it is not kept.
    """
    keys: dict[str, None] = {}
    for word in words(text):
        if not word.isascii():
            key = exact_key(word)
            if key != fold(word):
                keys[key] = None
    return list(keys)


def compact_reference(folded: str) -> str:
    return _NOT_WORD.sub("", folded)


def references(folded_text: str) -> list[str]:
    """The compact references found in a folded text (distinct, in order)."""
    return list(dict.fromkeys(compact_reference(m) for m in REFERENCE_RE.findall(folded_text)))


# --- Documents --------------------------------------------------------------------------------


@dataclass
class IndexTerms:
    """The terms of one document: folded words with positions and a weight per field
    ('A' reference, 'B' subject, 'C' issuer, 'D' file text), and the accented exact keys."""

    positions: dict[str, list[int]] = field(default_factory=dict)
    weights: dict[str, dict[int, str]] = field(default_factory=dict)
    exact: dict[str, None] = field(default_factory=dict)
    #: Folded words per weight, in order (the SQLite columns).
    by_weight: dict[str, list[str]] = field(default_factory=dict)
    _next: int = 1

    def add(self, text: str, weight: str) -> None:
        if not text:
            return
        text = unicodedata.normalize("NFC", text)
        folded = fold(text)
        column = self.by_weight.setdefault(weight, [])
        for word in WORD_RE.findall(folded):
            self._add_word(word, weight)
            column.append(word)
        for compact in references(folded):
            self._add_word(compact, weight)
            column.append(compact)
        for key in accented_keys(text):
            self.exact[key] = None

    def _add_word(self, word: str, weight: str) -> None:
        position = min(self._next, MAX_POSITION)
        self._next += 1
        kept = self.positions.setdefault(word, [])
        if len(kept) < MAX_POSITIONS and (not kept or kept[-1] != position):
            kept.append(position)
            self.weights.setdefault(word, {})[position] = weight

    def tsvector(self, scope: str = "") -> str:
        """The folded words as a PostgreSQL `tsvector` literal, each word behind `scope`
        (`'4|quyet':1A,7 '4|dinh':2A` for the scope "4|")."""
        parts = []
        for word, kept in self.positions.items():
            weights = self.weights[word]
            marks = ",".join(f"{p}{'' if weights[p] == 'D' else weights[p]}" for p in kept)
            parts.append(f"{pg_quote(scope + word)}:{marks}")
        return " ".join(parts)

    def exact_tsvector(self) -> str:
        """The accented keys as a `tsvector` literal without positions."""
        return " ".join(pg_quote(key) for key in self.exact)

    def column(self, weight: str) -> str:
        return " ".join(self.by_weight.get(weight, ()))

    def exact_column(self) -> str:
        return " ".join(self.exact)


def pg_quote(lexeme: str) -> str:
    """A lexeme quoted for a `tsvector` / `tsquery` literal: nothing in it is syntax."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def fts5_quote(term: str) -> str:
    """A term as an FTS5 string: every query word is quoted, so no input is FTS5 syntax."""
    return '"' + term.replace('"', '""') + '"'


# --- Queries ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """What a search box's text asks for: all `words` (folded), all `prefixes` (compact
    references, matched as prefixes); `exact` keys of its accented words for ranking;
    `highlight` the folded words to mark in snippets."""

    words: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()
    highlight: frozenset[str] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not self.words and not self.prefixes

    def tsquery(self, scopes: Sequence[str] = ("",)) -> str:
        """A PostgreSQL `tsquery` literal: every term quoted, joined by AND; the terms behind
        each of `scopes` (as `IndexTerms.tsvector` writes them), the scopes joined by OR."""
        groups = []
        for scope in scopes:
            terms = [pg_quote(scope + w) for w in self.words]
            terms += [f"{pg_quote(scope + p)}:*" for p in self.prefixes]
            groups.append(" & ".join(terms))
        if len(groups) == 1:
            return groups[0]
        return " | ".join(f"( {group} )" for group in groups)

    def fts5_match(self, columns: Sequence[str]) -> str:
        """An FTS5 MATCH expression over `columns`: every term quoted, joined by AND."""
        terms = [fts5_quote(w) for w in self.words]
        terms += [f"{fts5_quote(p)} *" for p in self.prefixes]
        return "{" + " ".join(columns) + "} : (" + " AND ".join(terms) + ")"


def parse_query(query: str) -> ParsedQuery:
    """The terms of a search box's text. Punctuation separates words and is never syntax."""
    text = unicodedata.normalize("NFC", query[:MAX_QUERY_CHARS])
    found_words: dict[str, None] = {}
    prefixes: dict[str, None] = {}
    highlight: set[str] = set()
    for chunk in text.split():
        folded = fold(chunk)
        reference = _reference_chunk(folded)
        if reference is not None:
            prefixes[compact_reference(reference)] = None
            highlight.update(WORD_RE.findall(reference))
            continue
        for word in WORD_RE.findall(folded):
            found_words[word] = None
            highlight.add(word)
    kept_words = list(found_words)[:MAX_QUERY_WORDS]
    kept_prefixes = list(prefixes)[: max(0, MAX_QUERY_WORDS - len(kept_words))]
    return ParsedQuery(
        words=tuple(kept_words),
        prefixes=tuple(kept_prefixes),
        exact=tuple(accented_keys(text)[:MAX_QUERY_WORDS]),
        highlight=frozenset(highlight),
    )


def _reference_chunk(folded_chunk: str) -> str | None:
    """The reference a whole query chunk is ("15/qd-ubnd", "(15/qd-ubnd)," too), else None."""
    stripped = folded_chunk.strip("()[]{}.,;:\"'“”‘’«»!?")
    match = REFERENCE_RE.fullmatch(stripped)
    return match.group(0) if match else None
