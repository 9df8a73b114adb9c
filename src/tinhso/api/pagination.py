"""Page-number pagination of the API: 50 rows by default, `page_size` up to 200."""

from __future__ import annotations

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

    cap = 10_000

    @cached_property
    def count(self) -> int:
        object_list = self.object_list
        if hasattr(object_list, "order_by"):
            return int(object_list.order_by()[: self.cap + 1].count())
        return min(len(object_list), self.cap + 1)


class CappedCountPagination(PageNumberPagination):
    """Page-number pagination whose `count` stops at 10,000; `count_capped` says so."""

    django_paginator_class = CappedCountPaginator

    def get_paginated_response(self, data: Any) -> Response:
        assert self.page is not None
        count = self.page.paginator.count
        capped = count > CappedCountPaginator.cap
        return Response(
            {
                "count": min(count, CappedCountPaginator.cap),
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
            "description": "true: there are more than `count` rows (the count stops at 10,000)",
        }
        return result
