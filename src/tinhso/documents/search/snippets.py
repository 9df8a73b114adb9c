"""The passage of a document a search shows: its text around the first match, escaped, with
`<mark>` around the matched words. Pure functions.

Matching is by folded word, as the search itself matches, so "quyet dinh" marks "Quyết định"
and "QUYẾT ĐỊNH". Long texts are scanned in chunks, folded as a whole first: most chunks hold
no query word and are passed over without splitting them into words.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Final

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from tinhso.documents.search.terms import WORD_RE
from tinhso.text import fold

WIDTH: Final = 240
#: Characters kept before the first match.
LEAD: Final = 60
_CHUNK: Final = 4000
#: Longer than any word: a word across a chunk's end is read whole from the chunk it starts in.
_OVERLAP: Final = 100
_MAX_MATCHES: Final = 200
#: Words repeat from one passage to the next: each is folded once per process.
_fold_word: Final = functools.lru_cache(maxsize=50_000)(fold)
_SCAN_AFTER_FIRST: Final = 50_000


def snippet(texts: Iterable[str], highlight: frozenset[str], *, width: int = WIDTH) -> SafeString:
    """The passage of `texts` (in order) holding the most words of `highlight`, the first
    such, marked; the start of the first non-empty text when none holds any; empty without
    text."""
    return snippet_and_text(texts, highlight, width=width)[0]


def snippet_and_text(
    texts: Iterable[str], highlight: frozenset[str], *, width: int = WIDTH
) -> tuple[SafeString, str]:
    """`snippet`, and the same passage as plain text (no marks, nothing escaped)."""
    first = ""
    for text in texts:
        if not text:
            continue
        text = unicodedata.normalize("NFC", text)
        first = first or text
        if not highlight:
            break
        start = _best_start(text, highlight, width - LEAD)
        if start is not None:
            return _render(text, max(0, start - LEAD), width, highlight)
    return _render(first, 0, width, highlight) if first else (SafeString(""), "")


def _best_start(text: str, highlight: frozenset[str], span: int) -> int | None:
    """Where the passage of `span` characters holding the most distinct words of
    `highlight` starts (at a word), or None when the text holds none of them.

    The scan stops at a passage that holds them all, after `_MAX_MATCHES` matches, or
    `_SCAN_AFTER_FIRST` characters past the first match: a long text costs no more.
    """
    matches: list[tuple[int, str]] = []
    best: tuple[int, int] | None = None  # (distinct words, start)
    for start, word in _matches(text, highlight):
        if matches and start - matches[0][0] > _SCAN_AFTER_FIRST:
            break
        matches.append((start, word))
        # The passage ending with this match: the matches within `span` before it.
        inside = {w for s, w in matches if start - s <= span}
        first_inside = next(s for s, _w in matches if start - s <= span)
        if best is None or len(inside) > best[0]:
            best = (len(inside), first_inside)
        if len(inside) == len(highlight) or len(matches) >= _MAX_MATCHES:
            break
    return best[1] if best is not None else None


def _matches(text: str, highlight: frozenset[str]) -> Iterator[tuple[int, str]]:
    """(start, folded word) of each word of `text` in `highlight`, in order."""
    position = 0
    while position < len(text):
        chunk = text[position : position + _CHUNK + _OVERLAP]
        folded = fold(chunk)
        if any(word in folded for word in highlight):
            for match in WORD_RE.finditer(chunk):
                if match.start() >= _CHUNK:
                    break  # the next chunk starts here
                cut_before = match.start() == 0 and position > 0 and text[position - 1].isalnum()
                word = _fold_word(match.group(0))
                if not cut_before and word in highlight:
                    yield position + match.start(), word
        position += _CHUNK


def _render(text: str, start: int, width: int, highlight: frozenset[str]) -> tuple[SafeString, str]:
    end = min(len(text), start + width)
    # Cut at spaces, not inside a word.
    if start > 0:
        space = text.find(" ", start, start + 20)
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", end - 20, end)
        end = space if space > start else end
    passage = " ".join(text[start:end].split())
    lead, tail = "…" if start > 0 else "", "…" if end < len(text) else ""
    parts: list[str] = [lead]
    cursor = 0
    for match in WORD_RE.finditer(passage):
        if _fold_word(match.group(0)) in highlight:
            parts.append(escape(passage[cursor : match.start()]))
            parts.append(f"<mark>{escape(match.group(0))}</mark>")
            cursor = match.end()
    parts.append(escape(passage[cursor:]))
    parts.append(tail)
    html = mark_safe("".join(parts))  # noqa: S308  every piece of text above is escaped
    return html, f"{lead}{passage}{tail}"
