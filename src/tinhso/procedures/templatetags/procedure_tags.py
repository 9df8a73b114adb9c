"""Template filters of the catalogue pages."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils import formats

register = template.Library()


@register.filter
def plain_number(value: Decimal | int | None) -> str:
    """5.00 as "5", 4.50 as "4,5" (Vietnamese), 1500000 as "1.500.000"; "" for None."""
    if value is None:
        return ""
    number = Decimal(format(Decimal(value).normalize(), "f"))
    return formats.number_format(number, use_l10n=True, force_grouping=True)
