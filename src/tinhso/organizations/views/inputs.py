"""HTML forms of the organizations pages: they parse input; the services validate it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tinhso.organizations.models import AdministrativeUnit, Agency, AgencyKind, AgencyLevel
from tinhso.organizations.selectors import current_unit_by_code
from tinhso.web.forms import apply_service_errors

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BootstrapForm(forms.Form):
    """Bootstrap 5 classes on every widget; `is-invalid` on fields with errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = css

    def full_clean(self) -> None:
        super().full_clean()
        self.mark_invalid()

    def mark_invalid(self) -> None:
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
                widget.attrs["aria-invalid"] = "true"


class AgencyForm(BootstrapForm):
    code = forms.CharField(
        label=_("Mã định danh"),
        required=False,
        help_text=_("Theo Quyết định 20/2020/QĐ-TTg, ví dụ H57.01 (hoặc kiểu cũ 000.00.00.H57)."),
    )
    name = forms.CharField(label=_("Tên cơ quan"), required=False)
    short_name = forms.CharField(
        label=_("Tên viết tắt"),
        required=False,
        help_text=_("Dùng trong ký hiệu văn bản, ví dụ UBND, SNV."),
    )
    level = forms.ChoiceField(label=_("Cấp"), choices=AgencyLevel.choices)
    kind = forms.ChoiceField(label=_("Loại"), choices=AgencyKind.choices)
    parent = forms.ModelChoiceField(
        label=_("Cơ quan cấp trên"), queryset=Agency.objects.none(), required=False
    )
    admin_unit_code = forms.CharField(
        label=_("Mã đơn vị hành chính"),
        required=False,
        help_text=_("Mã số thống kê: 2 chữ số (tỉnh) hoặc 5 chữ số (xã, phường)."),
    )
    address = forms.CharField(label=_("Địa chỉ"), required=False)
    email = forms.CharField(label=_("Thư điện tử"), required=False)
    phone = forms.CharField(label=_("Điện thoại"), required=False)
    valid_from = forms.DateField(label=_("Hoạt động từ"), required=False, widget=_DATE)
    valid_to = forms.DateField(label=_("Hoạt động đến"), required=False, widget=_DATE)

    def __init__(self, *args: Any, parents: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if parents is not None:
            self.fields["parent"].queryset = parents  # type: ignore[attr-defined]

    def clean_admin_unit_code(self) -> AdministrativeUnit | None:
        code = self.cleaned_data["admin_unit_code"].strip()
        if not code:
            return None
        unit = current_unit_by_code(code)
        if unit is None:
            raise ValidationError(
                _("Không tìm thấy đơn vị hành chính đang có hiệu lực với mã số “%(code)s”."),
                params={"code": code},
            )
        return unit

    def service_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["admin_unit"] = data.pop("admin_unit_code", None)
        return data

    @staticmethod
    def initial_for(agency: Agency) -> dict[str, Any]:
        return {
            "code": agency.code,
            "name": agency.name,
            "short_name": agency.short_name,
            "level": agency.level,
            "kind": agency.kind,
            "parent": agency.parent_id,
            "admin_unit_code": agency.admin_unit.code if agency.admin_unit else "",
            "address": agency.address,
            "email": agency.email,
            "phone": agency.phone,
            "valid_from": agency.valid_from,
            "valid_to": agency.valid_to,
        }


class AgencyContactForm(BootstrapForm):
    """What an agency's own administrator may change."""

    address = forms.CharField(label=_("Địa chỉ"), required=False)
    email = forms.CharField(label=_("Thư điện tử"), required=False)
    phone = forms.CharField(label=_("Điện thoại"), required=False)


class AgencyCloseForm(BootstrapForm):
    valid_to = forms.DateField(
        label=_("Ngày kết thúc hoạt động"),
        widget=_DATE,
        error_messages={"required": _("Ngày kết thúc hoạt động không được để trống.")},
    )


class DepartmentForm(BootstrapForm):
    name = forms.CharField(label=_("Tên phòng ban"), required=False)
    short_name = forms.CharField(
        label=_("Tên viết tắt"),
        required=False,
        help_text=_("Có thể dùng trong ký hiệu công văn, ví dụ VP, TCBC."),
    )
    is_active = forms.BooleanField(label=_("Đang hoạt động"), required=False, initial=True)


#: Service field → form field, where they differ.
FIELD_MAP = {"admin_unit": "admin_unit_code"}


def add_service_errors(form: BootstrapForm, exc: ValidationError) -> None:
    """Show a service's ValidationError next to the fields it names."""
    apply_service_errors(form, exc, field_map=FIELD_MAP)
    form.mark_invalid()
