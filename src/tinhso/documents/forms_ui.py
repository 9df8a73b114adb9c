"""Forms of the e-office screens: input parsing only; the rules are in `services`.

The services check every field and say what is wrong in Vietnamese, per field (`secrecy`,
`issuer_name`, `type`, …). These forms only turn the posted fields into the services' inputs
(`IncomingInput`, `DraftInput`, `AssignInput`) and carry the services' errors back next to the
fields (`SERVICE_FIELDS` and `tinhso.web.forms.apply_service_errors`). Fields the service
requires are marked for the reader (`show_required`) without being checked twice here, so one
submission shows every message at once, the secrecy refusal included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tinhso.documents.kinds import TYPE_CHOICES, Urgency
from tinhso.documents.models import Source
from tinhso.documents.services import (
    AssignInput,
    DraftInput,
    ExternalRecipient,
    IncomingInput,
)
from tinhso.dossiers.forms_ui import (
    DATE_INPUT_FORMATS,
    MultipleFileField,
    MultipleFileInput,
    StyledForm,
)

#: The service's field names (`ValidationError` keys) → the forms' fields.
SERVICE_FIELDS: dict[str, str] = {"type": "doc_type", "files": "document_files"}
DRAFT_SERVICE_FIELDS: dict[str, str] = {"type": "doc_type", "files": "draft_file"}

INVALID_DATE = _("Ngày không đúng định dạng (ngày/tháng/năm).")

#: What the clerk reads on the document; the service refuses the last three (state secrets).
SECRECY_CHOICES = [
    ("", _("Không mật")),
    ("Mật", _("Mật")),
    ("Tối mật", _("Tối mật")),
    ("Tuyệt mật", _("Tuyệt mật")),
]

TYPE_OPTIONS = [("", _("— Chọn loại văn bản —")), *TYPE_CHOICES]


def _date(label: Any, *, required: bool = False, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": INVALID_DATE, "required": _("Cần chọn ngày.")},
    )


def _text(label: Any, max_length: int, *, rows: int = 0, help_text: Any = "") -> forms.CharField:
    widget: forms.Widget = (
        forms.Textarea(attrs={"rows": rows})
        if rows
        else forms.TextInput(attrs={"autocomplete": "off"})
    )
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        help_text=help_text,
        widget=widget,
        error_messages={"max_length": _("Tối đa %(limit_value)d ký tự (đang có %(show_value)d).")},
    )


def _count(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=1,
        max_value=10_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": _("Phải là số nguyên."),
            "min_value": _("Phải từ 1 đến 10.000."),
            "max_value": _("Phải từ 1 đến 10.000."),
        },
    )


def posted_list(data: Any, name: str) -> list[str]:
    """Every value posted under `name` (a QueryDict holds several)."""
    if hasattr(data, "getlist"):
        return [str(v) for v in data.getlist(name)]
    value = data.get(name) if hasattr(data, "get") else None
    return [] if value is None else [str(value)]


class IdListField(forms.Field):
    """Ids of files already stored, posted as repeated values (kept on a re-display)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        ids: list[int] = []
        for raw in values:
            text = str(raw).strip()
            if not text.isdigit() or len(text) > 18:
                raise ValidationError(_("Tệp đã tải lên không hợp lệ, hãy chọn lại tệp."))
            if int(text) not in ids:
                ids.append(int(text))
        return ids


class ServiceCheckedChoiceField(forms.TypedChoiceField):
    """A choice the service checks (a signer must lead the agency): the form only parses the
    id, so the service's message is shown together with the other fields' messages."""

    def valid_value(self, value: Any) -> bool:
        return True


class EofficeForm(StyledForm):
    """A form whose service-required fields are marked as required for the reader."""

    #: Fields the service requires (it says so itself when they are empty).
    service_required: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.service_required:
            if name in self.fields:
                field: Any = self.fields[name]
                field.show_required = True
                field.widget.attrs["aria-required"] = "true"


@dataclass(frozen=True, slots=True)
class StoredFileRow:
    """A file stored on an earlier submission of the page, kept unless unticked."""

    id: int
    name: str
    field: str


class UploadsMixin:
    """File inputs paired with the ids of the files already stored from them.

    The view stores each posted file at once (`tinhso.files.services.file_store`) and adds its
    id to the `<name>_stored` field, so a form shown again with errors keeps the files without
    asking for them a second time; the page lists them as ticked boxes (untick to drop one).
    """

    #: (file input, its stored-ids field)
    upload_pairs: tuple[tuple[str, str], ...] = ()
    fields: dict[str, forms.Field]

    def stored_ids(self, stored_field: str) -> list[int]:
        form: Any = self
        if not form.is_bound:
            return []
        try:
            return IdListField().to_python(posted_list(form.data, form.add_prefix(stored_field)))
        except ValidationError:
            return []

    def all_stored_ids(self) -> list[int]:
        return [pk for _input, stored in self.upload_pairs for pk in self.stored_ids(stored)]

    def stored_rows(self, names: dict[int, str]) -> dict[str, list[StoredFileRow]]:
        rows: dict[str, list[StoredFileRow]] = {}
        for upload, stored in self.upload_pairs:
            rows[upload] = [
                StoredFileRow(pk, names[pk], stored)
                for pk in self.stored_ids(stored)
                if pk in names
            ]
        return rows


# --- Incoming: registration (Phụ lục VI) ---------------------------------------------------------


class IncomingForm(UploadsMixin, EofficeForm):
    """Vào sổ văn bản đến: every field of the incoming register (Nghị định 30, Phụ lục VI)."""

    service_required = ("issuer_name", "number", "notation", "issued_on", "doc_type", "subject")
    upload_pairs = (
        ("document_files", "document_files_stored"),
        ("attachments", "attachments_stored"),
    )

    agency = forms.TypedChoiceField(
        label=_("Cơ quan nhận"),
        coerce=int,
        error_messages={"invalid_choice": _("Cơ quan đã chọn không hợp lệ.")},
    )
    source = forms.ChoiceField(
        label=_("Hình thức văn bản"),
        choices=[(Source.PAPER, _("Văn bản giấy")), (Source.ELECTRONIC, _("Văn bản điện tử"))],
        initial=Source.PAPER,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Hình thức văn bản không hợp lệ.")},
    )
    register = forms.TypedChoiceField(
        label=_("Sổ văn bản đến"),
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _("Sổ văn bản đã chọn không hợp lệ.")},
    )
    issuer_name = _text(_("Cơ quan ban hành (tác giả)"), 255)
    issuer_code = _text(
        _("Mã định danh cơ quan ban hành"),
        35,
        help_text=_("Nếu có, ví dụ 000.00.01.H57 (Quyết định 20/2020/QĐ-TTg)."),
    )
    number = _text(_("Số văn bản"), 11)
    notation = _text(_("Ký hiệu"), 30, help_text=_("Ví dụ: QĐ-UBND"))
    issued_on = _date(_("Ngày văn bản"))
    doc_type = forms.ChoiceField(
        label=_("Loại văn bản"),
        choices=TYPE_OPTIONS,
        required=False,
        error_messages={"invalid_choice": _("Loại văn bản không có trong danh mục.")},
    )
    subject = _text(_("Trích yếu nội dung"), 500, rows=3)
    urgency = forms.ChoiceField(
        label=_("Độ khẩn"),
        choices=Urgency.choices,
        initial=Urgency.NORMAL,
        error_messages={"invalid_choice": _("Độ khẩn không hợp lệ.")},
    )
    deadline_at = forms.DateTimeField(
        label=_("Hẹn giờ (hỏa tốc hẹn giờ)"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": _("Thời hạn không đúng định dạng (giờ:phút ngày/tháng/năm).")},
    )
    secrecy = forms.ChoiceField(
        label=_("Độ mật"),
        choices=SECRECY_CHOICES,
        required=False,
        help_text=_("Văn bản mật, tối mật, tuyệt mật không được xử lý trên hệ thống này."),
        error_messages={"invalid_choice": _("Độ mật không hợp lệ.")},
    )
    signer_name = _text(_("Người ký"), 150)
    signer_position = _text(_("Chức vụ người ký"), 150)
    page_count = _count(_("Số trang"))
    due_on = _date(_("Hạn xử lý"), help_text=_("Để trống nếu văn bản không yêu cầu hạn trả lời."))
    note = _text(_("Ghi chú"), 2000, rows=2)
    document_files = MultipleFileField(
        label=_("Tệp văn bản (bản quét hoặc bản điện tử)"),
        required=False,
        help_text=_("PDF hoặc ảnh; có thể chọn nhiều tệp. Bắt buộc với văn bản điện tử."),
        widget=MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.docx"}),
    )
    document_files_stored = IdListField(required=False)
    attachments = MultipleFileField(
        label=_("Phụ lục, tài liệu kèm theo"),
        required=False,
        widget=MultipleFileInput(),
    )
    attachments_stored = IdListField(required=False)
    confirm_duplicate = forms.BooleanField(
        label=_("Tôi đã kiểm tra: đây là văn bản khác, vẫn vào sổ."), required=False
    )

    def __init__(
        self,
        *args: Any,
        agencies: Sequence[tuple[int, str]] = (),
        registers: Sequence[tuple[int, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        agency: Any = self.fields["agency"]
        agency.choices = list(agencies)
        if len(agencies) <= 1:
            del self.fields["agency"]
        register: Any = self.fields["register"]
        register.choices = [("", _("— Sổ theo loại văn bản (mặc định) —")), *registers]
        if not registers:
            del self.fields["register"]

    def incoming_input(self) -> IncomingInput:
        data = self.cleaned_data
        return IncomingInput(
            issuer_name=data["issuer_name"],
            number=data["number"],
            notation=data["notation"],
            issued_on=data["issued_on"],
            doc_type=data["doc_type"],
            subject=data["subject"],
            urgency=data["urgency"],
            issuer_code=data["issuer_code"],
            page_count=data["page_count"],
            signer_name=data["signer_name"],
            signer_position=data["signer_position"],
            due_on=data["due_on"],
            deadline_at=data["deadline_at"],
            files=tuple(self.stored_ids("document_files_stored")),
            attachments=tuple(self.stored_ids("attachments_stored")),
            source=data["source"],
            secrecy=data["secrecy"],
            register_id=data.get("register"),
            agency_id=data.get("agency"),
            note=data["note"],
        )


# --- Incoming: the leader's assignment ---------------------------------------------------------

#: Officials grouped by department: [(group label, [(user id, label), …]), …].
PeopleGroups = Sequence[tuple[str, Sequence[tuple[int, str]]]]


def _flat(groups: PeopleGroups) -> list[tuple[int, str]]:
    return [choice for _label, choices in groups for choice in choices]


class AssignForm(EofficeForm):
    """Phân công xử lý (Điều 23): main processor, co-processors, readers, direction, due date."""

    main = forms.TypedChoiceField(
        label=_("Xử lý chính"),
        coerce=int,
        empty_value=None,
        error_messages={
            "required": _("Chọn người (đơn vị) xử lý chính."),
            "invalid_choice": _("Người được chọn không phải cán bộ của cơ quan."),
        },
    )
    supports = forms.TypedMultipleChoiceField(
        label=_("Phối hợp"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Người được chọn không phải cán bộ của cơ quan.")},
    )
    readers = forms.TypedMultipleChoiceField(
        label=_("Nhận để biết"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Người được chọn không phải cán bộ của cơ quan.")},
    )
    direction = _text(_("Ý kiến chỉ đạo"), 4000, rows=3)
    due_on = _date(_("Hạn xử lý"))

    def __init__(self, *args: Any, people: PeopleGroups = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = people
        main: Any = self.fields["main"]
        main.choices = [("", _("— Chọn người xử lý chính —")), *[(g, list(c)) for g, c in people]]
        for name in ("supports", "readers"):
            field: Any = self.fields[name]
            field.choices = _flat(people)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        main = data.get("main")
        supports = set(data.get("supports") or [])
        readers = set(data.get("readers") or [])
        if main is not None and main in supports | readers:
            self.add_error(
                "supports" if main in supports else "readers",
                _("Người xử lý chính không đồng thời là người phối hợp hay nhận để biết."),
            )
        if supports & readers:
            self.add_error("readers", _("Một người chỉ nhận một vai trò trong một lần phân công."))
        return data

    def assign_input(self) -> AssignInput:
        data = self.cleaned_data
        return AssignInput(
            main=data["main"],
            supports=tuple(data.get("supports") or ()),
            readers=tuple(data.get("readers") or ()),
            direction=data.get("direction") or "",
            due_on=data.get("due_on"),
        )

    def selected(self, name: str) -> set[str]:
        """The posted (or initial) values of a multiple field, as strings, for the template."""
        if self.is_bound:
            return {str(v) for v in posted_list(self.data, self.add_prefix(name))}
        return {str(v) for v in self.initial.get(name, ())}

    @property
    def supports_selected(self) -> set[str]:
        return self.selected("supports")

    @property
    def readers_selected(self) -> set[str]:
        return self.selected("readers")


# --- Outgoing: drafting -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AgencyOption:
    """One agency of the organisation tree in the recipients list."""

    id: int
    name: str
    code: str
    depth: int
    search: str


#: Blank rows offered for recipients outside the installation.
EXTERNAL_ROWS = 2


class DraftForm(UploadsMixin, EofficeForm):
    """Soạn văn bản đi: type, subject, recipients, signer, urgency, draft file, attachments."""

    service_required = ("doc_type", "subject", "signer", "draft_file")
    upload_pairs = (("draft_file", "draft_stored"), ("attachments", "attachments_stored"))

    doc_type = forms.ChoiceField(
        label=_("Loại văn bản"),
        choices=TYPE_OPTIONS,
        required=False,
        error_messages={"invalid_choice": _("Loại văn bản không có trong danh mục.")},
    )
    subject = _text(_("Trích yếu nội dung"), 500, rows=3)
    unit = _text(
        _("Đơn vị soạn thảo (in trong ký hiệu công văn)"),
        20,
        help_text=_("Để trống: dùng tên viết tắt của phòng soạn thảo."),
    )
    signer = ServiceCheckedChoiceField(
        label=_("Người ký"),
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _("Người ký phải là lãnh đạo của cơ quan.")},
    )
    urgency = forms.ChoiceField(
        label=_("Độ khẩn"),
        choices=Urgency.choices,
        initial=Urgency.NORMAL,
        error_messages={"invalid_choice": _("Độ khẩn không hợp lệ.")},
    )
    recipients = forms.TypedMultipleChoiceField(
        label=_("Nơi nhận trong hệ thống"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Có nơi nhận không tồn tại trong danh mục cơ quan.")},
    )
    due_on = _date(_("Hạn trả lời (nếu có)"))
    page_count = _count(_("Số trang"))
    copies = _count(_("Số lượng bản"))
    note = _text(_("Ghi chú"), 2000, rows=2)
    draft_file = forms.FileField(
        label=_("Tệp dự thảo (DOCX hoặc PDF)"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".docx,.pdf,application/pdf,"
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
        ),
    )
    draft_stored = IdListField(required=False)
    #: Where the service's messages about the outside recipients go (the rows are read from
    #: `external_name`/`external_code`, see `external_rows`).
    external_recipients = forms.CharField(required=False, widget=forms.HiddenInput())
    attachments = MultipleFileField(
        label=_("Tài liệu kèm theo"),
        required=False,
        widget=MultipleFileInput(),
    )
    attachments_stored = IdListField(required=False)

    def __init__(
        self,
        *args: Any,
        signers: Sequence[tuple[int, str]] = (),
        agencies: Sequence[AgencyOption] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        signer: Any = self.fields["signer"]
        signer.choices = [("", _("— Chọn người ký —")), *signers]
        recipients: Any = self.fields["recipients"]
        recipients.choices = [(a.id, a.name) for a in agencies]
        self.agencies = list(agencies)

    def external_rows(self) -> list[tuple[str, str]]:
        """(name, code) of the outside recipients as posted, and blank rows to add more."""
        rows: list[tuple[str, str]] = []
        if self.is_bound:
            names = posted_list(self.data, "external_name")
            codes = posted_list(self.data, "external_code")
            for i, name in enumerate(names):
                code = codes[i] if i < len(codes) else ""
                if name.strip() or code.strip():
                    rows.append((name[:255], code[:35]))
        return rows + [("", "")] * max(EXTERNAL_ROWS - len(rows), 1)

    def external_inputs(self) -> list[ExternalRecipient]:
        return [ExternalRecipient(name=n, code=c) for n, c in self.external_rows() if n or c]

    def selected_recipients(self) -> set[int]:
        if not self.is_bound:
            return set()
        return {int(v) for v in posted_list(self.data, "recipients") if str(v).isdigit()}

    def draft_input(self, agency_id: int | None) -> DraftInput:
        data = self.cleaned_data
        draft = self.stored_ids("draft_stored")
        return DraftInput(
            doc_type=data["doc_type"],
            subject=data["subject"],
            signer=data.get("signer"),
            recipients=tuple(data.get("recipients") or ()),
            external_recipients=tuple(self.external_inputs()),
            urgency=data["urgency"],
            files=tuple(draft[-1:]),
            attachments=tuple(self.stored_ids("attachments_stored")),
            unit=data["unit"],
            agency_id=agency_id,
            due_on=data.get("due_on"),
            page_count=data.get("page_count"),
            copies=data.get("copies"),
            note=data["note"],
        )


# --- Actions on a document (its page, and the queues) -------------------------------------------


def _required_text(label: Any, message: Any, *, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": message, "max_length": _("Tối đa 4.000 ký tự.")},
    )


class ActionForm(StyledForm):
    """The fields of one action; `next` sends the person back to the queue they came from."""

    #: The service's field names → this form's.
    service_fields: dict[str, str] = {}
    #: A file input stored before the service is called (its id goes to the service).
    upload_field: str = ""

    next = forms.CharField(required=False, widget=forms.HiddenInput(), max_length=500)


class PlainForm(ActionForm):
    """An action without parameters (submit a draft)."""


class AcceptForm(ActionForm):
    register = forms.TypedChoiceField(
        label=_("Sổ văn bản đến"),
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _("Sổ văn bản đã chọn không hợp lệ.")},
    )
    due_on = _date(_("Hạn xử lý"))

    def __init__(self, *args: Any, registers: Sequence[tuple[int, str]] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["register"]
        field.choices = [("", _("— Sổ theo loại văn bản (mặc định) —")), *registers]
        if not registers:
            del self.fields["register"]


class RefuseForm(ActionForm):
    reason = _required_text(_("Lý do trả lại nơi gửi"), _("Cần ghi lý do trả lại văn bản."))


class PresentForm(ActionForm):
    leader = forms.TypedChoiceField(
        label=_("Trình lãnh đạo"),
        coerce=int,
        empty_value=None,
        error_messages={
            "required": _("Chọn lãnh đạo để trình."),
            "invalid_choice": _("Người được trình phải là lãnh đạo của cơ quan."),
        },
    )
    note = _text(_("Ý kiến của văn thư (nếu có)"), 2000, rows=2)

    def __init__(self, *args: Any, leaders: Sequence[tuple[int, str]] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["leader"]
        field.choices = [("", _("— Chọn lãnh đạo —")), *leaders]


class AssignmentActionForm(ActionForm):
    """An action on one's own assignment (start, pass on, complete)."""

    assignment = forms.IntegerField(widget=forms.HiddenInput())


class StartForm(AssignmentActionForm):
    pass


class PassOnForm(AssignmentActionForm):
    service_fields = {"to": "to_user"}

    to_user = forms.TypedChoiceField(
        label=_("Chuyển cho (trong phòng)"),
        coerce=int,
        empty_value=None,
        error_messages={
            "required": _("Chọn người nhận."),
            "invalid_choice": _("Chỉ chuyển tiếp được cho cán bộ trong cùng phòng, ban."),
        },
    )
    direction = _text(_("Ý kiến khi chuyển"), 2000, rows=2)
    due_on = _date(_("Hạn xử lý"), help_text=_("Không sau hạn lãnh đạo đã giao."))

    def __init__(self, *args: Any, colleagues: Sequence[tuple[int, str]] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["to_user"]
        field.choices = [("", _("— Chọn cán bộ —")), *colleagues]


class CompleteForm(AssignmentActionForm):
    result_note = _text(_("Kết quả xử lý"), 4000, rows=3)

    def __init__(self, *args: Any, main: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if main:
            field: Any = self.fields["result_note"]
            field.show_required = True


class VersionForm(ActionForm):
    service_fields = {"files": "file"}
    upload_field = "file"

    file = forms.FileField(
        label=_("Tệp dự thảo mới (DOCX hoặc PDF)"),
        error_messages={"required": _("Chọn tệp dự thảo.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".docx,.pdf"}),
    )
    note = _text(_("Nội dung chỉnh sửa"), 2000, rows=2)
    convert = forms.BooleanField(
        label=_("Chuyển sang PDF (tệp DOCX, bằng LibreOffice trên máy chủ)"), required=False
    )

    def __init__(self, *args: Any, can_convert: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_convert:
            del self.fields["convert"]


class CommentForm(ActionForm):
    text = _required_text(_("Góp ý"), _("Chưa nhập nội dung góp ý."))
    version = forms.TypedChoiceField(
        label=_("Về phiên bản"),
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _("Phiên bản không thuộc dự thảo này.")},
    )

    def __init__(self, *args: Any, versions: Sequence[tuple[int, str]] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["version"]
        field.choices = [("", _("— Cả dự thảo —")), *versions]
        if not versions:
            del self.fields["version"]


class ApproveForm(ActionForm):
    comment = _text(_("Ý kiến (nếu có)"), 4000, rows=2)


class ReturnForm(ActionForm):
    comment = _required_text(_("Ý kiến trả lại"), _("Cần ghi ý kiến khi trả lại dự thảo."))


class IssueForm(ActionForm):
    upload_field = "file"

    file = forms.FileField(
        label=_("Bản PDF phát hành (nếu khác bản dự thảo cuối)"),
        required=False,
        help_text=_("Để trống: phát hành bản PDF của phiên bản dự thảo cuối cùng."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )


class RecallForm(ActionForm):
    reason = _required_text(_("Lý do thu hồi"), _("Cần ghi lý do thu hồi văn bản."))


# --- Lists and search -------------------------------------------------------------------------


def _status_choices(statuses: Iterable[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", _("Tất cả trạng thái")), *statuses]


class DocumentFilterForm(StyledForm):
    """The filters of the incoming and outgoing lists and of the search page."""

    q = forms.CharField(
        label=_("Số, ký hiệu, trích yếu hoặc cơ quan ban hành"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("Không cần gõ dấu: “bo nhiem” tìm được “bổ nhiệm”."),
    )
    direction = forms.ChoiceField(
        label=_("Văn bản"),
        required=False,
        choices=[
            ("", _("Đến và đi")),
            ("incoming", _("Văn bản đến")),
            ("outgoing", _("Văn bản đi")),
        ],
        error_messages={"invalid_choice": _("Lựa chọn không hợp lệ.")},
    )
    doc_type = forms.ChoiceField(
        label=_("Loại văn bản"),
        required=False,
        choices=[("", _("Tất cả các loại")), *TYPE_CHOICES],
        error_messages={"invalid_choice": _("Loại văn bản không có trong danh mục.")},
    )
    urgency = forms.ChoiceField(
        label=_("Độ khẩn"),
        required=False,
        choices=[("", _("Tất cả")), *Urgency.choices],
        error_messages={"invalid_choice": _("Độ khẩn không hợp lệ.")},
    )
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        error_messages={"invalid_choice": _("Trạng thái đã chọn không hợp lệ.")},
    )
    date_from = _date(_("Ngày văn bản từ"))
    date_to = _date(_("Đến ngày"))

    def __init__(
        self,
        *args: Any,
        statuses: Iterable[tuple[str, Any]] = (),
        with_direction: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        status: Any = self.fields["status"]
        status.choices = _status_choices(statuses)
        if not with_direction:
            del self.fields["direction"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: dt.date | None = data.get("date_from")
        end: dt.date | None = data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("Ngày kết thúc phải sau ngày bắt đầu."))
        return data
