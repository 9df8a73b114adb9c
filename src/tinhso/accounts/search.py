"""What the folded search column of accounts holds: one definition for the signal that keeps
it, the data migration that filled it and the selectors that query it."""

from __future__ import annotations

from tinhso.text import fold

USER_SEARCH_MAX = 320


def user_search_text(*, full_name: str, username: str) -> str:
    return fold(f"{full_name} {username}")[:USER_SEARCH_MAX]
