"""Forms of the one-stop screens: input parsing only; the rules are in `services` and `rules`.

The service decides (completeness, ID numbers, phone numbers, fees, transitions); these forms
only turn the posted fields into the service's inputs and carry its errors back next to the
fields (`SERVICE_FIELDS`, `tinhso.web.forms.apply_service_errors`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from tinhso.dossiers.models import (
    ApplicantKind,
    FeeStatus,
    PaymentMethod,
    Rating,
    ReturnMethod,
    Status,
)
from tinhso.dossiers.rules import Action
from tinhso.dossiers.services import (
    ActionInput,
    ApplicantInput,
    ComponentInput,
    ReceiptInput,
)
from tinhso.procedures.models import Component

#: The service's field names (`ValidationError` keys) → the receipt form's fields.
SERVICE_FIELDS: dict[str, str] = {
    "applicant.kind": "applicant_kind",
    "applicant.name": "applicant_name",
    "applicant.id_number": "applicant_id_number",
    "applicant.phone": "applicant_phone",
    "applicant.email": "applicant_email",
    "applicant.address": "applicant_address",
}

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class StyledForm(forms.Form):
    """Bootstrap classes on every widget; invalid fields marked for assistive technology."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.HiddenInput):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            if css not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def _mark_invalid(self) -> None:
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}_errors"
                if "is-invalid" not in attrs.get("class", "") and not isinstance(
                    self.fields[name].widget, forms.RadioSelect | forms.HiddenInput
                ):
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()

    def full_clean(self) -> None:
        super().full_clean()
        self._mark_invalid()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        self._mark_invalid()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (the result files of a step)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


# --- Search ---------------------------------------------------------------------------------


class ProcedureSearchForm(StyledForm):
    q = forms.CharField(
        label=_("Tìm thủ tục theo mã hoặc tên"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Ví dụ: 1.000001 hoặc khai sinh")}
        ),
    )


class DossierSearchForm(StyledForm):
    q = forms.CharField(
        label=_("Mã hồ sơ, họ tên, số điện thoại hoặc số giấy tờ"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("Không cần gõ dấu: “nguyen van an” tìm được “Nguyễn Văn An”."),
    )
    status = forms.TypedChoiceField(
        label=_("Trạng thái"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Tất cả trạng thái")), *Status.choices],
        error_messages={"invalid_choice": _("Trạng thái đã chọn không hợp lệ.")},
    )
    received_from = forms.DateField(
        label=_("Nộp từ ngày"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Ngày không đúng định dạng (ngày/tháng/năm).")},
    )
    received_to = forms.DateField(
        label=_("Đến ngày"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Ngày không đúng định dạng (ngày/tháng/năm).")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", _("Ngày kết thúc phải sau ngày bắt đầu."))
        return data


# --- Receipt at the counter -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ComponentRow:
    """One line of the components checklist, with its three fields."""

    component: Component
    file: forms.BoundField
    paper: forms.BoundField
    stored: forms.BoundField
    stored_name: str
    missing: bool


class ComponentFieldsMixin:
    """A file upload, a "paper checked" box and the id of an already stored scan per component.

    A scan is stored as soon as it is posted (`tinhso.files.services.file_store`), so a form
    shown again with errors keeps it: the page carries the stored id instead of asking for
    the file a second time.
    """

    fields: dict[str, forms.Field]
    components: list[Component]

    def _add_component_fields(self, components: Iterable[Component]) -> None:
        self.components = list(components)
        for c in self.components:
            self.fields[f"c{c.pk}_file"] = forms.FileField(
                label=_("Bản quét: %(name)s") % {"name": c.name[:120]},
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
            )
            self.fields[f"c{c.pk}_paper"] = forms.BooleanField(
                label=_("Đã kiểm tra bản giấy"), required=False
            )
            self.fields[f"c{c.pk}_stored"] = forms.IntegerField(
                required=False, widget=forms.HiddenInput()
            )

    def component_field_names(self) -> set[str]:
        return {f"c{c.pk}_{part}" for c in self.components for part in ("file", "paper", "stored")}

    def upload_fields_of_components(self) -> list[tuple[Component, str, str]]:
        """(component, posted name of its upload, posted name of its stored id)."""
        form: Any = self
        return [
            (c, form.add_prefix(f"c{c.pk}_file"), form.add_prefix(f"c{c.pk}_stored"))
            for c in self.components
        ]

    def stored_id(self, component: Component) -> int | None:
        form: Any = self
        if not form.is_bound:
            return None
        raw = form.data.get(form.add_prefix(f"c{component.pk}_stored"), "")
        return int(raw) if str(raw).isdigit() and len(str(raw)) < 19 else None

    def paper_checked(self, component: Component) -> bool:
        form: Any = self
        return bool(form.is_bound and form.data.get(form.add_prefix(f"c{component.pk}_paper")))

    def component_inputs(self) -> list[ComponentInput]:
        items: list[ComponentInput] = []
        for c in self.components:
            file_id = self.stored_id(c)
            paper = self.paper_checked(c)
            if file_id is not None or paper:
                items.append(ComponentInput(component=c.pk, file=file_id, paper=paper))
        return items

    def missing_components(self) -> list[Component]:
        """The required components with neither a scan nor a checked paper."""
        return [
            c
            for c in self.components
            if c.required and self.stored_id(c) is None and not self.paper_checked(c)
        ]

    def component_rows(self, stored_names: dict[int, str], *, show_missing: bool) -> list[Any]:
        form: Any = self
        missing = {c.pk for c in self.missing_components()} if show_missing else set()
        rows = []
        for c in self.components:
            stored = self.stored_id(c)
            rows.append(
                ComponentRow(
                    component=c,
                    file=form[f"c{c.pk}_file"],
                    paper=form[f"c{c.pk}_paper"],
                    stored=form[f"c{c.pk}_stored"],
                    stored_name=stored_names.get(stored, "") if stored is not None else "",
                    missing=c.pk in missing,
                )
            )
        return rows


class ReceiptForm(ComponentFieldsMixin, StyledForm):
    """Steps 2–4 of the receive wizard: the applicant, the components checklist, the fees."""

    agency = forms.TypedChoiceField(
        label=_("Nơi tiếp nhận"),
        coerce=int,
        error_messages={
            "required": _("Vui lòng chọn nơi tiếp nhận."),
            "invalid_choice": _("Nơi tiếp nhận đã chọn không hợp lệ."),
        },
    )
    applicant_kind = forms.ChoiceField(
        label=_("Người nộp là"),
        choices=ApplicantKind.choices,
        initial=ApplicantKind.CITIZEN,
        error_messages={"invalid_choice": _("Loại người nộp không hợp lệ.")},
    )
    applicant_name = forms.CharField(
        label=_("Họ và tên (tên tổ chức)"),
        max_length=255,
        error_messages={"required": _("Cần nhập họ tên người nộp hồ sơ.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    applicant_id_number = forms.CharField(
        label=_("Số căn cước (CCCD) / mã số doanh nghiệp"),
        max_length=20,
        required=False,
        help_text=_("Căn cước công dân có 12 chữ số."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    applicant_phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    applicant_email = forms.CharField(
        label=_("Thư điện tử"),
        max_length=254,
        required=False,
        help_text=_("Để gửi thông báo về hồ sơ cho người nộp."),
        widget=forms.TextInput(attrs={"type": "email", "autocomplete": "off"}),
    )
    applicant_address = forms.CharField(label=_("Địa chỉ"), max_length=500, required=False)
    subject = forms.CharField(
        label=_("Nội dung yêu cầu giải quyết"),
        max_length=1000,
        required=False,
        help_text=_("Để trống: dùng tên thủ tục."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    sets = forms.IntegerField(
        label=_("Số lượng hồ sơ (bộ)"),
        min_value=1,
        max_value=100,
        initial=1,
        error_messages={
            "required": _("Cần nhập số bộ hồ sơ."),
            "invalid": _("Số bộ hồ sơ phải là số nguyên."),
            "min_value": _("Số bộ hồ sơ phải từ 1 đến 100."),
            "max_value": _("Số bộ hồ sơ phải từ 1 đến 100."),
        },
    )
    fee_status = forms.ChoiceField(
        label=_("Phí, lệ phí"),
        choices=[
            (FeeStatus.PAID, _("Thu ngay khi tiếp nhận")),
            (FeeStatus.UNPAID, _("Thu sau (khi trả kết quả)")),
            (FeeStatus.EXEMPT, _("Miễn phí, lệ phí")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Chọn cách thu phí, lệ phí."),
            "invalid_choice": _("Cách thu phí, lệ phí không hợp lệ."),
        },
    )
    fee_method = forms.ChoiceField(
        label=_("Hình thức thanh toán"),
        choices=PaymentMethod.choices,
        required=False,
        initial=PaymentMethod.CASH,
    )
    fee_receipt_number = forms.CharField(label=_("Số biên lai"), max_length=50, required=False)
    idempotency_key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput())

    def __init__(
        self,
        *args: Any,
        components: Iterable[Component],
        agencies: Sequence[tuple[int, str]],
        fee_total: Decimal,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        agency = self.fields["agency"]
        assert isinstance(agency, forms.TypedChoiceField)
        agency.choices = list(agencies)
        #: The only counter that receives this procedure (said to the service explicitly:
        #: an officer of several counters must not be asked to choose among one).
        self.only_agency = agencies[0][0] if len(agencies) == 1 else None
        if len(agencies) <= 1:
            # One counter: nothing to choose (the service takes the only one).
            del self.fields["agency"]
        self.fee_total = fee_total
        if not fee_total:
            for name in ("fee_status", "fee_method", "fee_receipt_number"):
                del self.fields[name]
        self._add_component_fields(components)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("fee_status") == FeeStatus.PAID:
            if not data.get("fee_method"):
                self.add_error("fee_method", _("Chọn hình thức thanh toán."))
            if not (data.get("fee_receipt_number") or "").strip():
                self.add_error("fee_receipt_number", _("Cần nhập số biên lai thu phí, lệ phí."))
        return data

    def receipt(self, procedure_code: str, *, on_incomplete: str) -> ReceiptInput:
        data = self.cleaned_data
        fee_status = data.get("fee_status", "")
        return ReceiptInput(
            procedure_code=procedure_code,
            channel="counter",
            applicant=ApplicantInput(
                kind=data["applicant_kind"],
                name=data["applicant_name"],
                id_number=data["applicant_id_number"],
                phone=data["applicant_phone"],
                email=data["applicant_email"],
                address=data["applicant_address"],
            ),
            components=self.component_inputs(),
            subject=data["subject"],
            sets=data["sets"],
            agency=data.get("agency", self.only_agency),
            on_incomplete=on_incomplete,
            fee_status=fee_status,
            fee_method=data.get("fee_method", "") if fee_status == FeeStatus.PAID else "",
            fee_receipt_number=data.get("fee_receipt_number", "")
            if fee_status == FeeStatus.PAID
            else "",
        )


# --- Actions on a dossier ----------------------------------------------------------------------


def _reason(label: Any, *, required: bool = True, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": _("Cần nêu lý do."), "max_length": _("Tối đa 2.000 ký tự.")},
    )


def _note(label: Any = None) -> forms.CharField:
    return forms.CharField(
        label=label or _("Ghi chú"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("Tối đa 2.000 ký tự.")},
    )


class ActionForm(StyledForm):
    """The parameters of one action (`rules.Action`) as posted from the dossier page."""

    #: Fields whose files are stored before the service is called (their ids go to `files`).
    upload_fields: tuple[str, ...] = ()
    #: The service's field names → this form's.
    service_fields: dict[str, str] = {"files": "result_files"}

    def action_input(self, file_ids: Sequence[int] = ()) -> ActionInput:
        data = self.cleaned_data
        return ActionInput(
            reason=data.get("reason", "") or "",
            note=data.get("note", "") or "",
            to_user=data.get("to_user"),
            new_due_date=data.get("new_due_date"),
            files=tuple(file_ids),
            method=data.get("method", "") or "",
            receipt_number=data.get("receipt_number", "") or "",
            amount=data.get("amount"),
            exempt=bool(data.get("exempt")),
            rating=data.get("rating", "") or "",
        )


class NoteForm(ActionForm):
    note = _note()


class ReasonForm(ActionForm):
    reason = _reason(_("Lý do"))


class AdvanceForm(ActionForm):
    """Forward / approve: optionally name who takes the next step, note, result files."""

    to_user = forms.TypedChoiceField(
        label=_("Chuyển cho"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Người được chọn không đảm nhận bước tiếp theo.")},
    )
    note = _note(_("Ý kiến, kết quả xử lý"))
    result_files = MultipleFileField(
        label=_("Tệp kết quả (nếu có)"),
        required=False,
        help_text=_("Có thể chọn nhiều tệp PDF, ảnh hoặc văn bản."),
    )
    upload_fields = ("result_files",)

    def __init__(self, *args: Any, candidates: Sequence[tuple[int, str]] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["to_user"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("— Bất kỳ ai đảm nhận bước tiếp theo —")), *candidates]


class AttachResultForm(ActionForm):
    result_files = MultipleFileField(
        label=_("Tệp kết quả"), error_messages={"required": _("Cần chọn tệp kết quả.")}
    )
    note = _note()
    upload_fields = ("result_files",)


class PaymentRequestForm(ActionForm):
    amount = forms.DecimalField(
        label=_("Số tiền phải nộp (đồng)"),
        required=False,
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=0,
        error_messages={
            "invalid": _("Số tiền phải là số nguyên (đồng)."),
            "min_value": _("Số tiền không được âm."),
        },
    )
    note = _note(_("Nội dung nghĩa vụ tài chính"))


class PayForm(ActionForm):
    exempt = forms.BooleanField(label=_("Miễn phí, lệ phí"), required=False)
    method = forms.ChoiceField(
        label=_("Hình thức thanh toán"),
        choices=[("", "—"), *PaymentMethod.choices],
        required=False,
        initial=PaymentMethod.CASH,
    )
    receipt_number = forms.CharField(label=_("Số biên lai"), max_length=50, required=False)
    amount = forms.DecimalField(
        label=_("Số tiền đã thu (đồng)"),
        required=False,
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=0,
        error_messages={
            "invalid": _("Số tiền phải là số nguyên (đồng)."),
            "min_value": _("Số tiền không được âm."),
        },
    )
    reason = _reason(_("Căn cứ miễn (khi miễn phí, lệ phí)"), required=False, rows=2)


class ApologizeForm(ActionForm):
    reason = _reason(_("Lý do chậm trả kết quả"))
    new_due_date = forms.DateField(
        label=_("Ngày hẹn trả lại"),
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Cần chọn ngày hẹn trả lại."),
            "invalid": _("Ngày không đúng định dạng (ngày/tháng/năm)."),
        },
    )


class ReturnForm(ActionForm):
    method = forms.ChoiceField(
        label=_("Hình thức trả kết quả"),
        choices=ReturnMethod.choices,
        initial=ReturnMethod.COUNTER,
        widget=forms.RadioSelect,
        error_messages={"required": _("Chọn hình thức trả kết quả.")},
    )
    note = _note()


class RateForm(ActionForm):
    rating = forms.ChoiceField(
        label=_("Mức độ hài lòng"),
        choices=Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Chọn mức độ hài lòng.")},
    )
    note = _note(_("Ý kiến của người dân"))


class WithdrawForm(ActionForm):
    reason = _reason(_("Lý do rút hồ sơ (nếu có)"), required=False, rows=2)


class SupplementForm(ComponentFieldsMixin, ActionForm):
    """The applicant's supplement: the missing papers, scanned or checked on paper."""

    note = _note()

    def __init__(self, *args: Any, components: Iterable[Component] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._add_component_fields(components)

    def action_input(self, file_ids: Sequence[int] = ()) -> ActionInput:
        return ActionInput(
            note=self.cleaned_data.get("note", ""), components=self.component_inputs()
        )


class SupplementRequestForm(ActionForm):
    reason = _reason(_("Nội dung cần bổ sung, hoàn thiện"))


class RefuseForm(ActionForm):
    reason = _reason(_("Lý do từ chối tiếp nhận"))


class SendBackForm(ActionForm):
    reason = _reason(_("Lý do trả lại bước trước"))


class StopForm(ActionForm):
    reason = _reason(_("Lý do dừng xử lý"))


#: The form of each action offered on the dossier page.
ACTION_FORMS: dict[Action, type[ActionForm]] = {
    Action.ACCEPT: NoteForm,
    Action.REQUEST_SUPPLEMENT: SupplementRequestForm,
    Action.SUPPLEMENT: SupplementForm,
    Action.REFUSE: RefuseForm,
    Action.TRANSFER: NoteForm,
    Action.FORWARD: AdvanceForm,
    Action.SEND_BACK: SendBackForm,
    Action.APPROVE: AdvanceForm,
    Action.REQUEST_PAYMENT: PaymentRequestForm,
    Action.PAY: PayForm,
    Action.APOLOGIZE: ApologizeForm,
    Action.WITHDRAW: WithdrawForm,
    Action.STOP: StopForm,
    Action.RETURN_RESULT: ReturnForm,
    Action.RATE: RateForm,
    Action.ATTACH_RESULT: AttachResultForm,
}


def uploaded_files(form: forms.Form, name: str) -> list[UploadedFile[bytes]]:
    """The files posted in `name` (none when the form did not validate that field)."""
    value = form.cleaned_data.get(name) if hasattr(form, "cleaned_data") else None
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]
