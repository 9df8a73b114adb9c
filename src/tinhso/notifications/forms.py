"""The filter form of the outbox list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tinhso.notifications.models import Status
from tinhso.notifications.selectors import NotificationFilters


class NotificationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Tất cả")), *Status.choices],
        error_messages={"invalid_choice": _("Trạng thái đã chọn không hợp lệ.")},
    )
    kind = forms.CharField(
        label=_("Loại thông báo"),
        required=False,
        max_length=100,
        help_text=_("Mã loại, ví dụ dossier.received"),
        error_messages={"max_length": _("Loại thông báo dài tối đa %(limit_value)d ký tự.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].widget.attrs["class"] = "form-select"
        self.fields["kind"].widget.attrs.update({"class": "form-control", "autocomplete": "off"})

    def full_clean(self) -> None:
        super().full_clean()
        # Mark each field in error for sight and for screen readers, next to its message.
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}-error"

    def filters(self) -> NotificationFilters:
        """The cleaned values as selector filters; call after `is_valid()`."""
        data = self.cleaned_data
        return NotificationFilters(
            status=data.get("status") or "", kind=(data.get("kind") or "").strip()
        )
