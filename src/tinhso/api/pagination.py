"""Page-number pagination of the API: 50 rows by default, `page_size` up to 200."""

from __future__ import annotations

from functools import partial
from typing import Any, cast

from django.core.paginator import Paginator as DjangoPaginator
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.response import Response


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_page_message = cast(str, _("Trang không hợp lệ: không có trang số {page_number}."))


class CappedCountPaginator(DjangoPaginator):  # type: ignore[type-arg]
    """A paginator that counts at most `cap` rows: past that, `count` is the cap.

    Counting every matching row of a million-dossier table costs more than the page itself;
    nobody pages through ten thousand dossiers, they narrow the filter instead.
    """

    def __init__(self, *args: Any, cap: int = 10_000, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cap = cap

    def page(self, number: Any) -> Any:
        # Not clamped to `count`: past the cap, `count` is a floor, not the total.
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)  # type: ignore[attr-defined]

    @cached_property
    def count(self) -> int:
        object_list = self.object_list
        if hasattr(object_list, "order_by"):
            return int(object_list.order_by()[: self.cap + 1].count())
        return min(len(object_list), self.cap + 1)


class CappedCountPagination(PageNumberPagination):
    """Page-number pagination whose `count` stops at `cap` (10,000 unless the view lowers it);
    `count_capped` says so."""

    cap = 10_000

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        self.django_paginator_class = partial(CappedCountPaginator, cap=self.cap)  # type: ignore[assignment]
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data: Any) -> Response:
        assert self.page is not None
        count = self.page.paginator.count
        capped = count > self.cap
        return Response(
            {
                "count": min(count, self.cap),
                "count_capped": capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        result = super().get_paginated_response_schema(schema)
        result["properties"]["count_capped"] = {
            "type": "boolean",
            "description": "true: there are more than `count` rows (the count stops there)",
        }
        return result
