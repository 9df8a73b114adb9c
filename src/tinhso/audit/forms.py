"""The filter form of the audit list (also parses the query string of the API)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tinhso.audit.selectors import AuditFilters
from tinhso.organizations.models import Agency

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


class _DateInput(forms.TextInput):
    """dd/mm/yyyy typed as text: a native date picker would show and send other formats."""

    def __init__(self) -> None:
        super().__init__(
            attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"},
        )


class AuditFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("Từ ngày"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=_DateInput(),
        error_messages={"invalid": _("Từ ngày phải có dạng dd/mm/yyyy, ví dụ 02/09/2025.")},
    )
    date_to = forms.DateField(
        label=_("Đến ngày"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=_DateInput(),
        error_messages={"invalid": _("Đến ngày phải có dạng dd/mm/yyyy, ví dụ 30/09/2025.")},
    )
    actor = forms.CharField(
        label=_("Người thực hiện (tên đăng nhập)"),
        required=False,
        max_length=150,
        error_messages={"max_length": _("Tên đăng nhập dài tối đa %(limit_value)d ký tự.")},
    )
    action = forms.CharField(
        label=_("Hành động"),
        required=False,
        max_length=100,
        error_messages={"max_length": _("Hành động dài tối đa %(limit_value)d ký tự.")},
    )
    object_type = forms.CharField(
        label=_("Loại đối tượng"),
        required=False,
        max_length=100,
        error_messages={"max_length": _("Loại đối tượng dài tối đa %(limit_value)d ký tự.")},
    )
    object_id = forms.CharField(
        label=_("Mã đối tượng"),
        required=False,
        max_length=64,
        error_messages={"max_length": _("Mã đối tượng dài tối đa %(limit_value)d ký tự.")},
    )
    agency = forms.ModelChoiceField(
        label=_("Cơ quan"),
        required=False,
        queryset=Agency.objects.none(),
        empty_label=_("Tất cả"),
        error_messages={"invalid_choice": _("Cơ quan đã chọn không nằm trong phạm vi được xem.")},
    )
    request_id = forms.CharField(
        label=_("Mã yêu cầu"),
        required=False,
        max_length=64,
        error_messages={"max_length": _("Mã yêu cầu dài tối đa %(limit_value)d ký tự.")},
    )

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency_field = self.fields["agency"]
        assert isinstance(agency_field, forms.ModelChoiceField)
        agency_field.queryset = agencies
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ModelChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def full_clean(self) -> None:
        super().full_clean()
        # Mark each field in error for sight and for screen readers, next to its message.
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}-error"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("Đến ngày phải bằng hoặc sau Từ ngày."))
        return cleaned

    def filters(self) -> AuditFilters:
        """The cleaned values as selector filters; call after `is_valid()`."""
        data = self.cleaned_data
        agency = data.get("agency")
        return AuditFilters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            actor=(data.get("actor") or "").strip(),
            action=(data.get("action") or "").strip(),
            object_type=(data.get("object_type") or "").strip(),
            object_id=(data.get("object_id") or "").strip(),
            agency_id=agency.pk if agency is not None else None,
            request_id=(data.get("request_id") or "").strip(),
        )
