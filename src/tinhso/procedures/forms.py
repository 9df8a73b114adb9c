"""HTML forms of the catalogue pages: they parse input; the services validate it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import BaseFormSet, formset_factory
from django.utils.translation import gettext_lazy as _

from tinhso.accounts.models import Role
from tinhso.organizations.models import Agency
from tinhso.procedures.models import (
    Fee,
    OnlineLevel,
    ProcedureLevel,
    StepAgency,
    StepKind,
    TimeUnit,
)
from tinhso.procedures.services import (
    STEP_ROLES,
    ComponentInput,
    FeeInput,
    StepInput,
    VersionInput,
)

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _textarea(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class BootstrapMixin:
    """Bootstrap 5 classes on every widget; `is-invalid` on fields with errors."""

    fields: dict[str, forms.Field]
    errors: Any

    def style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = css

    def mark_invalid(self) -> None:
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
                widget.attrs["aria-invalid"] = "true"


class StyledForm(BootstrapMixin, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()

    def full_clean(self) -> None:
        super().full_clean()
        self.mark_invalid()


class VersionForm(StyledForm):
    """What a version says, apart from its components, fees and steps."""

    code = forms.CharField(
        label=_("Mã thủ tục"),
        required=False,
        help_text=_("Mã trong Cơ sở dữ liệu quốc gia về TTHC, ví dụ 1.001193 hoặc 1.012753.H19."),
    )
    name = forms.CharField(label=_("Tên thủ tục"), required=False, widget=_textarea(2))
    field = forms.CharField(label=_("Lĩnh vực"), required=False)
    levels = forms.MultipleChoiceField(
        label=_("Cấp thực hiện"),
        choices=ProcedureLevel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    decision_number = forms.CharField(label=_("Quyết định công bố"), required=False)
    processing_time = forms.DecimalField(
        label=_("Thời hạn giải quyết"),
        required=False,
        min_value=Decimal(0),
        max_digits=7,
        decimal_places=2,
    )
    time_unit = forms.ChoiceField(
        label=_("Đơn vị thời hạn"), choices=TimeUnit.choices, initial=TimeUnit.WORKING_DAYS
    )
    online_level = forms.ChoiceField(
        label=_("Mức độ dịch vụ công trực tuyến"),
        choices=OnlineLevel.choices,
        initial=OnlineLevel.NONE,
    )
    competent_agency = forms.ModelChoiceField(
        label=_("Cơ quan có thẩm quyền (trong danh bạ)"),
        queryset=Agency.objects.none(),
        required=False,
        help_text=_("Để trống khi thủ tục do cơ quan tiếp nhận (UBND xã, phường) giải quyết."),
    )
    competent_agency_name = forms.CharField(
        label=_("Cơ quan có thẩm quyền (theo danh mục quốc gia)"), required=False
    )
    target_groups = forms.CharField(
        label=_("Đối tượng thực hiện"), required=False, widget=_textarea(2)
    )
    receiving_place = forms.CharField(label=_("Nơi tiếp nhận"), required=False, widget=_textarea(2))
    result_name = forms.CharField(label=_("Kết quả thực hiện"), required=False, widget=_textarea(2))
    result_code = forms.CharField(label=_("Mã kết quả"), required=False)
    legal_basis = forms.CharField(label=_("Căn cứ pháp lý"), required=False, widget=_textarea(3))
    conditions = forms.CharField(label=_("Yêu cầu, điều kiện"), required=False, widget=_textarea(3))
    steps_description = forms.CharField(
        label=_("Trình tự thực hiện"), required=False, widget=_textarea(3)
    )
    valid_from = forms.DateField(label=_("Áp dụng từ"), required=False, widget=_DATE)
    valid_to = forms.DateField(label=_("Áp dụng đến"), required=False, widget=_DATE)
    source_url = forms.CharField(label=_("Nguồn (trang danh mục quốc gia)"), required=False)

    def __init__(
        self, *args: Any, agencies: QuerySet[Agency], with_code: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competent_agency"].queryset = agencies  # type: ignore[attr-defined]
        if not with_code:
            del self.fields["code"]


class ComponentForm(StyledForm):
    name = forms.CharField(label=_("Tên giấy tờ"), required=False, widget=_textarea(2))
    originals = forms.IntegerField(label=_("Bản chính"), min_value=0, max_value=99, initial=1)
    copies = forms.IntegerField(label=_("Bản sao"), min_value=0, max_value=99, initial=0)
    form_template = forms.CharField(label=_("Mẫu đơn, tờ khai"), required=False)
    required = forms.BooleanField(label=_("Bắt buộc"), required=False, initial=True)
    reusable = forms.BooleanField(label=_("Tái sử dụng dữ liệu số"), required=False)


class FeeForm(StyledForm):
    name = forms.CharField(label=_("Tên phí, lệ phí"), required=False)
    amount = forms.DecimalField(
        label=_("Mức thu"), min_value=Decimal(0), max_digits=14, decimal_places=2
    )
    currency = forms.ChoiceField(
        label=_("Đơn vị tiền"), choices=Fee.Currency.choices, initial=Fee.Currency.VND
    )
    note = forms.CharField(label=_("Ghi chú"), required=False)


class StepForm(StyledForm):
    name = forms.CharField(label=_("Tên bước"), required=False)
    # Initial values equal to the first option: an untouched blank row posts them, and the
    # formset must see it as unchanged (and skip it) rather than as a row to validate.
    kind = forms.ChoiceField(
        label=_("Loại bước"), choices=StepKind.choices, initial=StepKind.RECEIVE
    )
    agency_mode = forms.ChoiceField(
        label=_("Cơ quan thực hiện"), choices=StepAgency.choices, initial=StepAgency.RECEIVING
    )
    agency = forms.ModelChoiceField(
        label=_("Cơ quan được chỉ định"), queryset=Agency.objects.none(), required=False
    )
    department_short_name = forms.CharField(
        label=_("Phòng ban (viết tắt)"),
        required=False,
        widget=forms.TextInput(attrs={"list": "department-short-names"}),
    )
    role = forms.ChoiceField(
        label=_("Vai trò"),
        choices=[(role.value, role.label) for role in STEP_ROLES],
        initial=STEP_ROLES[0],
    )
    duration_hours = forms.DecimalField(
        label=_("Số giờ làm việc"), min_value=Decimal(0), max_digits=7, decimal_places=2
    )

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]


class StyledFormSet(BaseFormSet):  # type: ignore[type-arg]
    """Styles the ORDER and DELETE fields the formset adds to each row."""

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if isinstance(form, StyledForm):
            form.style()
            if "DELETE" in form.fields:
                form.fields["DELETE"].label = _("Xóa")
            if "ORDER" in form.fields:
                form.fields["ORDER"].label = _("Thứ tự")


ComponentFormSet = formset_factory(
    ComponentForm, formset=StyledFormSet, extra=2, can_delete=True, can_order=True
)
FeeFormSet = formset_factory(FeeForm, formset=StyledFormSet, extra=1, can_delete=True)
StepFormSet = formset_factory(
    StepForm, formset=StyledFormSet, extra=2, can_delete=True, can_order=True
)


def kept_forms(formset: BaseFormSet[Any]) -> list[forms.Form]:
    """The rows to save, in order: the existing rows and the filled-in new ones, without
    those marked for deletion, sorted by their ORDER when the formset has one."""
    initial = formset.initial_form_count()
    rows = [
        form
        for index, form in enumerate(formset.forms)
        if (index < initial or form.has_changed())
        and not (formset.can_delete and form.cleaned_data.get("DELETE", False))
    ]
    if formset.can_order:
        rows.sort(
            key=lambda form: (
                form.cleaned_data.get("ORDER") is None,
                form.cleaned_data.get("ORDER") or 0,
            )
        )
    return rows


def version_input(
    form: VersionForm,
    components: Sequence[forms.Form],
    fees: Sequence[forms.Form],
    steps: Sequence[forms.Form],
) -> VersionInput:
    """The service's input from valid forms (the service checks the content)."""
    data = form.cleaned_data
    return VersionInput(
        name=data["name"],
        field=data["field"],
        levels=tuple(data["levels"]),
        decision_number=data["decision_number"],
        target_groups=data["target_groups"],
        competent_agency=data["competent_agency"],
        competent_agency_name=data["competent_agency_name"],
        receiving_place=data["receiving_place"],
        processing_time=data["processing_time"]
        if data["processing_time"] is not None
        else Decimal(0),
        time_unit=data["time_unit"],
        online_level=data["online_level"],
        result_name=data["result_name"],
        result_code=data["result_code"],
        legal_basis=data["legal_basis"],
        conditions=data["conditions"],
        steps_description=data["steps_description"],
        valid_from=data["valid_from"],
        valid_to=data["valid_to"],
        source_url=data["source_url"],
        components=tuple(
            ComponentInput(
                name=c.cleaned_data["name"],
                originals=c.cleaned_data["originals"],
                copies=c.cleaned_data["copies"],
                form_template=c.cleaned_data["form_template"],
                required=c.cleaned_data["required"],
                reusable=c.cleaned_data["reusable"],
            )
            for c in components
        ),
        fees=tuple(
            FeeInput(
                name=f.cleaned_data["name"],
                amount=f.cleaned_data["amount"],
                currency=f.cleaned_data["currency"],
                note=f.cleaned_data["note"],
            )
            for f in fees
        ),
        steps=tuple(
            StepInput(
                name=s.cleaned_data["name"],
                kind=s.cleaned_data["kind"],
                role=s.cleaned_data["role"],
                duration_hours=s.cleaned_data["duration_hours"],
                agency_mode=s.cleaned_data["agency_mode"],
                agency=s.cleaned_data["agency"],
                department_short_name=s.cleaned_data["department_short_name"],
            )
            for s in steps
        ),
    )


def _plain(value: Decimal) -> Decimal:
    """4.00 shown as 4 in the editor, 4.50 as 4.5."""
    return Decimal(format(value.normalize(), "f"))


def initial_of(
    data: VersionInput,
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Initial values of the version form and of its three formsets."""
    version = {
        "name": data.name,
        "field": data.field,
        "levels": list(data.levels),
        "decision_number": data.decision_number,
        "target_groups": data.target_groups,
        "competent_agency": data.competent_agency,
        "competent_agency_name": data.competent_agency_name,
        "receiving_place": data.receiving_place,
        "processing_time": _plain(data.processing_time),
        "time_unit": data.time_unit,
        "online_level": data.online_level,
        "result_name": data.result_name,
        "result_code": data.result_code,
        "legal_basis": data.legal_basis,
        "conditions": data.conditions,
        "steps_description": data.steps_description,
        "valid_from": data.valid_from,
        "valid_to": data.valid_to,
        "source_url": data.source_url,
    }
    components = [
        {
            "name": c.name,
            "originals": c.originals,
            "copies": c.copies,
            "form_template": c.form_template,
            "required": c.required,
            "reusable": c.reusable,
            "ORDER": i,
        }
        for i, c in enumerate(data.components, 1)
    ]
    fees = [
        {"name": f.name, "amount": _plain(f.amount), "currency": f.currency, "note": f.note}
        for f in data.fees
    ]
    steps = [
        {
            "name": s.name,
            "kind": s.kind,
            "agency_mode": s.agency_mode,
            "agency": s.agency,
            "department_short_name": s.department_short_name,
            "role": s.role,
            "duration_hours": _plain(s.duration_hours),
            "ORDER": i,
        }
        for i, s in enumerate(data.steps, 1)
    ]
    return version, components, fees, steps


#: Service keys of the nested rows → the formset they belong to.
NESTED = ("components", "fees", "steps")


def apply_errors(
    exc: ValidationError,
    form: VersionForm,
    rows: Mapping[str, Sequence[forms.Form]],
) -> None:
    """Put a service's ValidationError next to the field (or row field) it names."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        form.mark_invalid()
        return
    for key, errors in exc.error_dict.items():
        head, _dot, rest = key.partition(".")
        if head in NESTED and rest:
            index_text, _dot, field_name = rest.partition(".")
            targets = rows[head]
            if index_text.isdigit() and int(index_text) < len(targets):
                row = targets[int(index_text)]
                row.add_error(field_name if field_name in row.fields else None, errors)
                if isinstance(row, BootstrapMixin):
                    row.mark_invalid()
                continue
            form.add_error(None, errors)
            continue
        form.add_error(key if key in form.fields else None, errors)
    form.mark_invalid()


def role_label(role: str) -> str:
    return str(Role(role).label) if role in Role.values else role
