"""What the folded search column of procedures holds (`tinhso.text.fold` on both sides)."""

from __future__ import annotations

from tinhso.text import fold


def procedure_search_text(*, code: str, name: str, field: str) -> str:
    return fold(f"{code} {name} {field}")
