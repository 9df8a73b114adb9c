"""What the folded search columns of agencies and administrative units hold.

One definition for the services that maintain the columns, the data migration that filled
them, and the selectors that query them (`tinhso.text.fold` on both sides).
"""

from __future__ import annotations

from tinhso.text import fold

AGENCY_SEARCH_MAX = 320
UNIT_SEARCH_MAX = 200


def agency_search_text(*, name: str, short_name: str, code: str) -> str:
    return fold(f"{name} {short_name} {code}")[:AGENCY_SEARCH_MAX]


def unit_search_text(*, name: str, code: str) -> str:
    return fold(f"{name} {code}")[:UNIT_SEARCH_MAX]
