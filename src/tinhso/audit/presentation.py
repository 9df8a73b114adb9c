"""How an audit row's recorded changes read on the detail page."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _


@dataclass(frozen=True, slots=True)
class ChangeRow:
    field: str  # the field's code, e.g. "full_name"
    label: str  # its name on the model, e.g. "họ và tên", or the code
    before: str
    after: str
    is_pair: bool  # False when the row recorded one value rather than before/after


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, name: str) -> Any:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _label(field: Any, name: str) -> str:
    return str(getattr(field, "verbose_name", None) or name)


def _choice_label(field: Any, value: Any) -> Any:
    """A choice's label ("Ngày nghỉ lễ, Tết") rather than its stored code ("holiday")."""
    choices = getattr(field, "flatchoices", None) or ()
    for code, label in choices:
        if code == value and value not in (None, ""):
            return str(label)
    return value


def display_value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return _("Có")
    if value is False:
        return _("Không")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)
    return str(value)


def change_rows(object_type: str, changes: Any) -> list[ChangeRow]:
    """One row per changed field: `{field: [before, after]}` as written by `audit.services.diff`.

    Anything else a service recorded (a single value, a nested document) is shown as it is.
    """
    if not isinstance(changes, dict):
        return [ChangeRow("", "", "", display_value(changes), False)] if changes else []
    model = _model(object_type)
    rows = []
    for name in sorted(changes):
        value = changes[name]
        field = _field(model, name)
        label = _label(field, name)
        if isinstance(value, list) and len(value) == 2:
            before, after = (display_value(_choice_label(field, v)) for v in value)
            rows.append(ChangeRow(name, label, before, after, True))
        else:
            rows.append(ChangeRow(name, label, "", display_value(value), False))
    return rows
