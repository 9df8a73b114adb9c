"""Pages of the dossier list: for a search, one read gives the count and the page."""

from __future__ import annotations

from typing import Any

from django.utils.functional import cached_property

from tinhso.api.pagination import CappedCountPaginator


class WindowPaginator(CappedCountPaginator):
    """Counts and pages from one read of the first `cap + 1` rows in order.

    A search by name must find and sort all its matches before the first page is known, and a
    capped count finds them again: the first `cap + 1` ids in order give both at the cost of
    one (PostgreSQL reads the index and the rows once, not twice). A page past that window
    is read by itself, as `CappedCountPaginator` does.
    """

    @cached_property
    def window(self) -> list[Any]:
        return list(self.object_list[: self.cap + 1])

    @cached_property
    def count(self) -> int:
        return len(self.window)

    def page(self, number: Any) -> Any:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        # All the matches are in the window when it is not full.
        if top <= len(self.window) or len(self.window) <= self.cap:
            return self._get_page(self.window[bottom:top], number, self)  # type: ignore[attr-defined]
        return self._get_page(self.object_list[bottom:top], number, self)  # type: ignore[attr-defined]
