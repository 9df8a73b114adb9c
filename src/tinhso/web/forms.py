"""What every HTML form of the platform shares."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError


def apply_service_errors(
    form: forms.BaseForm,
    exc: ValidationError,
    *,
    field_map: Mapping[str, str] | None = None,
) -> None:
    """Put a service's ValidationError next to the fields it names; the rest go on top.

    `field_map` renames service fields to form fields where they differ.
    """
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        target = (field_map or {}).get(field, field)
        form.add_error(target if target in form.fields else None, errors)
