"""`{% signature_badge verdicts file_id %}`: the latest signature verdict of a stored file as
a small badge linking to its report (nothing for a file never found signed)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html

from tinhso.signatures.presentation import VERDICTS

register = template.Library()


@register.simple_tag
def signature_badge(verdicts: dict[int, str] | None, file_id: int | None) -> Any:
    if not verdicts or file_id is None or file_id not in verdicts:
        return ""
    verdict = verdicts[file_id]
    label, colour, icon = VERDICTS.get(verdict, VERDICTS["indeterminate"])
    return format_html(
        '<a class="badge text-bg-{} text-decoration-none ms-1" href="{}" data-signature="{}">'
        '<i class="bi {}" aria-hidden="true"></i> {}: {}</a>',
        colour,
        reverse("signatures:file_report", args=[file_id]),
        verdict,
        icon,
        _("Chữ ký số"),
        label,
    )


def _(text: str) -> str:
    from django.utils.translation import gettext

    return gettext(text)
