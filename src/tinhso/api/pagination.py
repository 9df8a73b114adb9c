"""Page-number pagination of the API: 50 rows by default, `page_size` up to 200."""

from __future__ import annotations

from typing import cast

from django.utils.translation import gettext_lazy as _
from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_page_message = cast(str, _("Trang không hợp lệ: không có trang số {page_number}."))
