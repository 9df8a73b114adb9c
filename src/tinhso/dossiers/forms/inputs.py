"""The query of a tracking book (`agency`, `from`, `to`), shared by the page and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tinhso.dossiers.forms.book import Period, period

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class TrackingBookQuery(forms.Form):
    """`from` and `to` are local dates (yyyy-mm-dd or dd/mm/yyyy), both included."""

    agency = forms.CharField(
        label=_("Cơ quan"),
        required=False,
        max_length=35,
        help_text=_("Mã số (id) hoặc mã định danh của cơ quan có bộ phận một cửa."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword: the two dates are added by name.
        for name, label in (("from", _("Từ ngày")), ("to", _("Đến ngày"))):
            self.fields[name] = forms.DateField(
                label=label,
                input_formats=DATE_FORMATS,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                error_messages={
                    "required": _("Cần chọn ngày."),
                    "invalid": _("Ngày không hợp lệ (định dạng dd/mm/yyyy hoặc yyyy-mm-dd)."),
                },
            )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        first, last = data.get("from"), data.get("to")
        if isinstance(first, dt.date) and isinstance(last, dt.date):
            try:
                data["period"] = period(first, last)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    self.add_error(field, errors)
        return data

    @property
    def period(self) -> Period:
        result: Period = self.cleaned_data["period"]
        return result

    def error_dict(self) -> dict[str, list[str]]:
        return {field: [str(e) for e in errors] for field, errors in self.errors.items()}
