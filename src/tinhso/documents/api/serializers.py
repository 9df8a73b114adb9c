"""Shapes of the e-office API: what integrators send, and the documents as they come back.

Input serializers check the shape (types, lists, lengths that protect the database); the
rules of Nghị định 30/2020 (a notation's form, a date not in the future, the type list, who
signs) are the services', and come back from them as Vietnamese messages per field.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from tinhso.accounts.models import User
from tinhso.api.plaininput import Decline, plain_reader
from tinhso.documents.kinds import TYPE_CHOICES, Urgency
from tinhso.documents.models import (
    Direction,
    DocumentStatus,
    Source,
)
from tinhso.documents.search import SearchFilters, SearchHit
from tinhso.documents.search.query import MAX_PER_PAGE
from tinhso.documents.selectors import DocumentFilter
from tinhso.documents.services import (
    AssignInput,
    DraftInput,
    ExternalRecipient,
    IncomingInput,
)

TYPE_HELP = _(
    "Loại văn bản theo Nghị định 30/2020 (Phụ lục III): NQ, QĐ, CT, QC, QyĐ, TC, TB, HD, CTr, "
    "KH, PA, ĐA, DA, BC, BB, TTr, HĐ, CV (công văn), CĐ, BGN, BTT, GUQ, GM, GGT, GNP, PG, PC, "
    "PB, THC (thư công)."
)
URGENCY_HELP = _(
    "Độ khẩn: thuong (thường), khan (khẩn), thuong_khan (thượng khẩn), hoa_toc (hỏa tốc), "
    "hoa_toc_hen_gio (hỏa tốc hẹn giờ, cần deadline_at)."
)
STATUS_HELP = _(
    "Trạng thái. Văn bản đến: received (chờ vào sổ), refused (đã trả lại nơi gửi), registered "
    "(đã vào sổ), presented (đã trình lãnh đạo), assigned (đã phân công), in_progress (đang xử "
    "lý), completed (đã hoàn thành). Văn bản đi: draft (dự thảo), in_review (đang trình "
    "duyệt), returned (bị trả lại), approved (đã duyệt, chờ phát hành), issued (đã phát hành). "
    "Cả hai: recalled (đã thu hồi)."
)
FILE_IDS_HELP = _("Mã số (id) các tệp đã tải lên qua POST /api/v1/files/.")


# --- Fields -----------------------------------------------------------------------------------


class TypeCodeField(serializers.ChoiceField):
    """A type code of the decree's list, refused with the services' own message."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", TYPE_HELP)
        kwargs.setdefault(
            "error_messages",
            {"invalid_choice": _("Loại văn bản không có trong danh mục của Nghị định 30/2020.")},
        )
        super().__init__(choices=TYPE_CHOICES, **kwargs)


class UrgencyField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", URGENCY_HELP)
        kwargs.setdefault("error_messages", {"invalid_choice": _("Độ khẩn không hợp lệ.")})
        super().__init__(choices=Urgency.choices, **kwargs)


def _ids(help_text: Any, *, max_length: int = 50) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        max_length=max_length,
        help_text=help_text,
    )


def _text(max_length: int, help_text: Any = "", **kwargs: Any) -> serializers.CharField:
    kwargs.setdefault("required", False)
    kwargs.setdefault("default", "")
    return serializers.CharField(
        allow_blank=True, max_length=max_length, help_text=help_text, **kwargs
    )


# --- Input: incoming --------------------------------------------------------------------------


class IncomingRegisterSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """`POST /api/v1/documents/incoming/`: a document received on paper or as a file."""

    issuer_name = serializers.CharField(
        allow_blank=True, max_length=2000, help_text=_("Tên cơ quan, tổ chức ban hành.")
    )
    number = serializers.CharField(
        allow_blank=True, max_length=100, help_text=_("Số văn bản, ví dụ 15.")
    )
    notation = serializers.CharField(
        allow_blank=True, max_length=200, help_text=_("Ký hiệu văn bản, ví dụ QĐ-UBND.")
    )
    date = serializers.DateField(help_text=_("Ngày ban hành văn bản (YYYY-MM-DD)."))
    type = TypeCodeField()
    subject = serializers.CharField(
        allow_blank=True, max_length=5000, help_text=_("Trích yếu nội dung, tối đa 500 ký tự.")
    )
    urgency = UrgencyField(required=False, default=Urgency.NORMAL)
    deadline_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Hạn của văn bản hỏa tốc hẹn giờ."),
    )
    files = _ids(FILE_IDS_HELP)
    attachments = _ids(_("Phụ lục, tài liệu kèm theo (id tệp đã tải lên)."))
    issuer_code = _text(100, _("Mã định danh điện tử của cơ quan ban hành, ví dụ H57."))
    page_count = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text=_("Số trang.")
    )
    signer_name = _text(1000, _("Người ký."))
    signer_position = _text(150, _("Chức vụ người ký."))
    due_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("Hạn xử lý.")
    )
    # Named like Field.source: the metaclass takes declared fields off the class, so fine.
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=[
            (Source.PAPER.value, Source.PAPER.label),
            (Source.ELECTRONIC.value, Source.ELECTRONIC.label),
        ],
        required=False,
        default=Source.PAPER,
        help_text=_("paper (văn bản giấy, đã quét) hoặc electronic (văn bản điện tử, cần files)."),
    )
    secrecy = _text(
        100,
        _(
            "Độ mật ghi trên văn bản, nếu có. Văn bản mật, tối mật, tuyệt mật không được xử lý "
            "trên hệ thống (400)."
        ),
    )
    register = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Sổ văn bản đến (id); mặc định sổ dùng cho loại văn bản, hoặc sổ chung."),
    )
    agency = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Cơ quan vào sổ (id), khi văn thư làm việc ở nhiều cơ quan."),
    )
    note = _text(5000, _("Ghi chú."))
    confirm_duplicate = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "true: vào sổ dù văn bản có vẻ đã được vào sổ (cùng nơi ban hành, số, ký hiệu, ngày)."
        ),
    )

    def to_input(self) -> IncomingInput:
        return incoming_input(self.validated_data)


def incoming_input(v: dict[str, Any]) -> IncomingInput:
    """The service's input from the registration's validated data."""
    return IncomingInput(
        issuer_name=v["issuer_name"],
        number=v["number"],
        notation=v["notation"],
        issued_on=v["date"],
        doc_type=v["type"],
        subject=v["subject"],
        urgency=v["urgency"],
        issuer_code=v["issuer_code"],
        page_count=v["page_count"],
        signer_name=v["signer_name"],
        signer_position=v["signer_position"],
        due_on=v["due_on"],
        deadline_at=v["deadline_at"],
        files=tuple(v["files"]),
        attachments=tuple(v["attachments"]),
        source=v["source"],
        secrecy=v["secrecy"],
        register_id=v["register"],
        agency_id=v["agency"],
        note=v["note"],
    )


# Registration is the clerks' busiest call: a well-formed body is read from the serializer's
# declarations without DRF's per-request copies of its 22 fields (`tinhso.api.plaininput`);
# the serializer judges the others (tests/api/test_register_input.py compares both).
_read_incoming = plain_reader(IncomingRegisterSerializer)


def incoming_register_input(data: Any) -> tuple[IncomingInput, bool] | None:
    """(the input, confirm_duplicate) of a plainly valid registration body; None when the
    serializer must judge it (`IncomingRegisterSerializer(data=…).is_valid()`)."""
    if _read_incoming is None:
        return None
    try:
        values = _read_incoming(data)
    except Decline:
        return None
    return incoming_input(values), values["confirm_duplicate"]


class IncomingAcceptSerializer(serializers.Serializer):  # type: ignore[type-arg]
    register = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text=_("Sổ văn bản đến (id).")
    )
    due_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("Hạn xử lý.")
    )


class DocumentReasonSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reason = _text(5000, _("Lý do (bắt buộc)."))


class IncomingPresentSerializer(serializers.Serializer):  # type: ignore[type-arg]
    leader = serializers.IntegerField(
        min_value=1, help_text=_("Lãnh đạo của cơ quan được trình (id tài khoản).")
    )
    note = _text(5000, _("Ý kiến của văn thư khi trình."))


class IncomingAssignSerializer(serializers.Serializer):  # type: ignore[type-arg]
    main = serializers.IntegerField(min_value=1, help_text=_("Người xử lý chính (id tài khoản)."))
    supports = _ids(_("Người phối hợp (id tài khoản)."), max_length=100)
    readers = _ids(_("Người nhận để biết (id tài khoản)."), max_length=100)
    direction = _text(5000, _("Ý kiến chỉ đạo."))
    due_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Hạn xử lý; mặc định hạn đã ghi khi vào sổ."),
    )

    def to_input(self) -> AssignInput:
        v: dict[str, Any] = self.validated_data
        return AssignInput(
            main=v["main"],
            supports=tuple(v["supports"]),
            readers=tuple(v["readers"]),
            direction=v["direction"],
            due_on=v["due_on"],
        )


class IncomingProcessSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """What the caller does with the document given to them (their open assignment)."""

    action = serializers.ChoiceField(
        choices=[
            ("start", _("Bắt đầu xử lý")),
            ("complete", _("Hoàn thành")),
            ("pass_on", _("Chuyển tiếp trong phòng")),
        ],
        help_text=_(
            "start: bắt đầu xử lý (05); complete: hoàn thành, với result_note hoặc "
            "reply_document (06 khi là người xử lý chính); pass_on: chuyển tiếp cho cán bộ "
            "cùng phòng (to)."
        ),
    )
    result_note = _text(5000, _("Kết quả xử lý (complete)."))
    reply_document = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Văn bản trả lời (id văn bản đi), khi hoàn thành."),
    )
    to = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Người nhận chuyển tiếp (id tài khoản), khi pass_on."),
    )
    direction = _text(5000, _("Ý kiến khi chuyển tiếp."))
    due_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Hạn cho người nhận chuyển tiếp, không sau hạn đã giao."),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["action"] == "pass_on" and attrs.get("to") is None:
            raise serializers.ValidationError({"to": [_("Chọn người nhận chuyển tiếp.")]})
        return attrs


# --- Input: outgoing --------------------------------------------------------------------------


class ExternalRecipientSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField(
        allow_blank=True, max_length=1000, help_text=_("Tên cơ quan nhận ngoài hệ thống.")
    )
    code = _text(100, _("Mã định danh điện tử của cơ quan nhận (để gửi liên thông)."))


class OutgoingDraftSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """`POST /api/v1/documents/outgoing/`: a new draft (dự thảo) of an outgoing document."""

    type = TypeCodeField()
    subject = serializers.CharField(
        allow_blank=True, max_length=5000, help_text=_("Trích yếu nội dung, tối đa 500 ký tự.")
    )
    signer = serializers.IntegerField(
        min_value=1, help_text=_("Người ký: lãnh đạo của cơ quan (id tài khoản).")
    )
    recipients = _ids(_("Nơi nhận trong hệ thống (id cơ quan)."), max_length=500)
    external_recipients = serializers.ListField(
        child=ExternalRecipientSerializer(),
        required=False,
        default=list,
        max_length=500,
        help_text=_("Nơi nhận ngoài hệ thống: tên và mã định danh."),
    )
    urgency = UrgencyField(required=False, default=Urgency.NORMAL)
    files = _ids(
        _("Tệp dự thảo (DOCX hoặc PDF, id tệp đã tải lên): tệp đầu tiên là phiên bản 1."),
        max_length=1,
    )
    attachments = _ids(_("Phụ lục, tài liệu kèm theo (id tệp đã tải lên)."))
    unit = _text(
        20, _("Đơn vị soạn thảo ghi trong ký hiệu công văn (UBND-VX); mặc định tên tắt của phòng.")
    )
    agency = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Cơ quan soạn (id), khi cán bộ làm việc ở nhiều cơ quan."),
    )
    due_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("Hạn hoàn thành.")
    )
    page_count = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text=_("Số trang.")
    )
    copies = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text=_("Số lượng bản.")
    )
    replaces = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Văn bản đã phát hành mà văn bản này thay thế (id)."),
    )
    amendment = serializers.ChoiceField(
        choices=[("replace", _("Thay thế")), ("correct", _("Đính chính"))],
        required=False,
        default="replace",
        help_text=_(
            "Với replaces: replace (thay thế văn bản sai nội dung) hoặc correct (công văn đính "
            "chính sai sót về thể thức), Nghị định 30/2020, Điều 18.3."
        ),
    )
    reply_to = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Văn bản đến mà văn bản này trả lời (id)."),
    )
    note = _text(5000, _("Ghi chú."))

    def to_input(self) -> DraftInput:
        v: dict[str, Any] = self.validated_data
        return DraftInput(
            doc_type=v["type"],
            subject=v["subject"],
            signer=v["signer"],
            recipients=tuple(v["recipients"]),
            external_recipients=tuple(
                ExternalRecipient(name=r["name"], code=r["code"]) for r in v["external_recipients"]
            ),
            urgency=v["urgency"],
            files=tuple(v["files"]),
            attachments=tuple(v["attachments"]),
            unit=v["unit"],
            agency_id=v["agency"],
            due_on=v["due_on"],
            page_count=v["page_count"],
            copies=v["copies"],
            replaces=v["replaces"],
            amendment=v["amendment"],
            reply_to=v["reply_to"],
            note=v["note"],
        )


class DocumentCommentFieldSerializer(serializers.Serializer):  # type: ignore[type-arg]
    comment = _text(5000, _("Ý kiến."))


class OutgoingIssueSerializer(serializers.Serializer):  # type: ignore[type-arg]
    file = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "Bản PDF phát hành (id tệp đã tải lên); mặc định PDF của phiên bản dự thảo cuối."
        ),
    )


class OutgoingVersionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    file = serializers.IntegerField(
        min_value=1, help_text=_("Tệp DOCX hoặc PDF của phiên bản mới (id tệp đã tải lên).")
    )
    note = _text(5000, _("Ghi chú của phiên bản."))
    convert = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("true: chuyển DOCX sang PDF (khi máy chủ có LibreOffice)."),
    )


class OutgoingCommentSerializer(serializers.Serializer):  # type: ignore[type-arg]
    text = serializers.CharField(
        allow_blank=True, max_length=20000, help_text=_("Nội dung góp ý, tối đa 5.000 ký tự.")
    )
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Phiên bản dự thảo được góp ý (id)."),
    )


# --- Input: lists -----------------------------------------------------------------------------


class DocumentFilterSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """Query parameters of the document lists (documented in the OpenAPI schema)."""

    status = serializers.ChoiceField(
        choices=DocumentStatus.choices, required=False, help_text=_("Trạng thái.")
    )
    type = TypeCodeField(required=False)
    urgency = UrgencyField(required=False)
    date_from = serializers.DateField(required=False, help_text=_("Ngày văn bản từ (YYYY-MM-DD)."))
    date_to = serializers.DateField(
        required=False, help_text=_("Ngày văn bản đến hết (YYYY-MM-DD).")
    )
    agency = serializers.IntegerField(
        required=False, min_value=1, help_text=_("Cơ quan (id), khi làm việc ở nhiều cơ quan.")
    )
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text=_(
            "Tìm theo số, ký hiệu, trích yếu, cơ quan ban hành; không phân biệt dấu và hoa thường."
        ),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start is not None and end is not None and start > end:
            raise serializers.ValidationError(
                {"date_to": [_("Ngày kết thúc phải từ ngày bắt đầu trở đi.")]}
            )
        return attrs

    def to_filter(self, direction: str) -> DocumentFilter:
        v: dict[str, Any] = self.validated_data
        return DocumentFilter(
            direction=direction,
            status=v.get("status", ""),
            doc_type=v.get("type", ""),
            urgency=v.get("urgency", ""),
            agency_id=v.get("agency"),
            date_from=v.get("date_from"),
            date_to=v.get("date_to"),
            q=v.get("q", ""),
        )


class DocumentSearchQuerySerializer(DocumentFilterSerializer):
    """Query parameters of the search: the words, the list filters, the page."""

    q = serializers.CharField(
        max_length=200,
        help_text=_(
            "Từ khóa: tìm trong số, ký hiệu, trích yếu, cơ quan ban hành và nội dung tệp, không "
            "phân biệt dấu và hoa thường."
        ),
    )
    kind = serializers.ChoiceField(
        choices=Direction.choices,
        required=False,
        help_text=_("incoming (văn bản đến) hoặc outgoing (văn bản đi); mặc định cả hai."),
    )
    page = serializers.IntegerField(required=False, default=1, min_value=1, help_text=_("Trang."))
    page_size = serializers.IntegerField(
        required=False,
        default=20,
        min_value=1,
        max_value=MAX_PER_PAGE,
        help_text=_("Số kết quả mỗi trang (tối đa 100)."),
    )

    def to_search_filters(self) -> SearchFilters:
        v: dict[str, Any] = self.validated_data
        return SearchFilters(
            doc_type=v.get("type") or None,
            date_from=v.get("date_from"),
            date_to=v.get("date_to"),
            urgency=v.get("urgency") or None,
            status=v.get("status") or None,
            agency_id=v.get("agency"),
            direction=v.get("kind") or None,
        )


# --- Output -----------------------------------------------------------------------------------
# Codes come back as strings described in their help text, not as enums: drf-spectacular
# names enums by field name across the whole API, and a second "status" or "role" choice set
# would make another app's enum names (and the schema check) unstable.


class DocumentUserRefSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField(help_text=_("Họ và tên."))

    def get_name(self, user: User) -> str:
        return user.full_name or user.username


class DocumentRefSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """An agency, department or register named by id and name."""

    id = serializers.IntegerField()
    name = serializers.CharField()


class DocumentFileSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField(
        source="file_id", help_text=_("Mã tệp: tải về tại /api/v1/files/{id}/content.")
    )
    name = serializers.CharField(source="file.name")
    content_type = serializers.CharField(source="file.content_type")
    size = serializers.IntegerField(source="file.size")
    role = serializers.CharField(
        help_text=_(
            "main (văn bản chính), attachment (phụ lục), draft (dự thảo), issued (bản phát hành)."
        ),
    )
    version = serializers.IntegerField(
        source="version.number",
        allow_null=True,
        default=None,
        help_text=_("Số phiên bản dự thảo."),
    )


class DocumentActivitySerializer(serializers.Serializer):  # type: ignore[type-arg]
    action = serializers.CharField(help_text=_("Bước: register, present, assign, start, …"))
    edxml_status = serializers.CharField(
        help_text=_(
            "Mã trạng thái liên thông (01 đã đến … 06 hoàn thành, 13 thu hồi); rỗng nếu không có."
        )
    )
    actor = DocumentUserRefSerializer(allow_null=True)
    at = serializers.DateTimeField(source="occurred_at")
    note = serializers.CharField()


class DocumentAssignmentSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    assignee = DocumentUserRefSerializer()
    department = DocumentRefSerializer(allow_null=True)
    role = serializers.CharField(
        help_text=_("main (xử lý chính), support (phối hợp), reader (nhận để biết).")
    )
    is_presentation = serializers.BooleanField(help_text=_("Văn bản được trình lãnh đạo."))
    status = serializers.CharField(
        help_text=_(
            "waiting (chưa xem), seen (đã xem), in_progress (đang xử lý), done (hoàn thành), "
            "passed_on (đã chuyển tiếp), withdrawn (đã thu hồi phân công)."
        )
    )
    direction = serializers.CharField(help_text=_("Ý kiến chỉ đạo."))
    due_on = serializers.DateField(allow_null=True)
    assigned_by = DocumentUserRefSerializer()
    assigned_at = serializers.DateTimeField()
    seen_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    result_note = serializers.CharField()
    parent = serializers.IntegerField(  # type: ignore[assignment]
        source="parent_id", allow_null=True, help_text=_("Phân công được chuyển tiếp từ (id).")
    )


class _DocumentBaseSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    status = serializers.CharField(help_text=STATUS_HELP)
    status_name = serializers.CharField(source="get_status_display")
    type = serializers.CharField(source="doc_type", help_text=TYPE_HELP)
    type_name = serializers.CharField(source="get_doc_type_display")
    number = serializers.CharField(help_text=_("Số văn bản (rỗng với văn bản đi chưa phát hành)."))
    notation = serializers.CharField(help_text=_("Ký hiệu văn bản."))
    reference = serializers.CharField(help_text=_("Số, ký hiệu: 15/QĐ-UBND."))
    date = serializers.DateField(source="issued_on", allow_null=True, help_text=_("Ngày ban hành."))
    subject = serializers.CharField()
    urgency = UrgencyField()
    due_on = serializers.DateField(allow_null=True, help_text=_("Hạn xử lý."))
    department = DocumentRefSerializer(allow_null=True)


class IncomingRowSerializer(_DocumentBaseSerializer):
    """An incoming document in a list."""

    source = serializers.CharField(  # type: ignore[assignment]
        help_text=_(
            "paper (giấy), electronic (điện tử), internal (nhận trong hệ thống), exchange "
            "(liên thông)."
        )
    )
    incoming_number = serializers.IntegerField(
        source="register_number", allow_null=True, help_text=_("Số đến trong sổ của năm.")
    )
    registered_at = serializers.DateTimeField(allow_null=True, help_text=_("Ngày đến (vào sổ)."))
    issuer_name = serializers.CharField()


class IncomingDetailSerializer(IncomingRowSerializer):
    """An incoming document with its files, routing and history."""

    year = serializers.IntegerField(allow_null=True)
    register = DocumentRefSerializer(allow_null=True)
    issuer_code = serializers.CharField()
    signer_name = serializers.CharField()
    signer_position = serializers.CharField()
    page_count = serializers.IntegerField(allow_null=True)
    deadline_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    recalled_at = serializers.DateTimeField(allow_null=True)
    recall_reason = serializers.CharField()
    note = serializers.CharField()
    files = DocumentFileSerializer(many=True, source="files.all")
    assignments = DocumentAssignmentSerializer(many=True, source="assignments.all")
    history = DocumentActivitySerializer(many=True, source="activities.all")
    created_at = serializers.DateTimeField()


class OutgoingRowSerializer(_DocumentBaseSerializer):
    """An outgoing document in a list."""

    signer_name = serializers.CharField(help_text=_("Người ký."))
    registered_at = serializers.DateTimeField(allow_null=True, help_text=_("Ngày phát hành."))
    created_at = serializers.DateTimeField()


class DocumentRecipientSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    agency = serializers.IntegerField(
        source="agency_id", allow_null=True, help_text=_("Cơ quan trong hệ thống (id).")
    )
    name = serializers.CharField()
    code = serializers.CharField(help_text=_("Mã định danh điện tử."))
    is_internal = serializers.BooleanField(help_text=_("Nơi nhận trong hệ thống."))
    state = serializers.CharField(
        help_text=_(
            "pending, sent, 01 đã đến, 02 từ chối, 03 đã tiếp nhận, 04 phân công, 05 đang xử lý, "
            "06 hoàn thành, recalled."
        ),
    )
    state_at = serializers.DateTimeField(allow_null=True)


class DocumentApprovalStepSerializer(serializers.Serializer):  # type: ignore[type-arg]
    round = serializers.IntegerField(help_text=_("Lần trình."))
    order = serializers.IntegerField()
    kind = serializers.CharField(help_text=_("department_head, agency_leader, signer, user:<id>."))
    approver = DocumentUserRefSerializer(
        allow_null=True, help_text=_("Người duyệt; null: bất kỳ lãnh đạo của phòng hoặc cơ quan.")
    )
    department = DocumentRefSerializer(allow_null=True)
    decision = serializers.CharField(
        help_text=_("waiting (chờ duyệt), approved (đồng ý), returned (trả lại), skipped (bỏ qua).")
    )
    decided_by = DocumentUserRefSerializer(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    comment = serializers.CharField()


class DocumentDraftVersionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    file = serializers.IntegerField(source="file_id", help_text=_("Tệp DOCX hoặc PDF (id)."))
    pdf = serializers.IntegerField(
        source="pdf_id", allow_null=True, help_text=_("Bản PDF chuyển từ DOCX (id).")
    )
    note = serializers.CharField()
    created_by = DocumentUserRefSerializer()
    created_at = serializers.DateTimeField()


class DocumentCommentSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    text = serializers.CharField()
    version = serializers.IntegerField(source="version_id", allow_null=True)
    author = DocumentUserRefSerializer()
    created_at = serializers.DateTimeField()


class OutgoingDetailSerializer(OutgoingRowSerializer):
    """An outgoing document with its recipients, review steps, draft versions and history."""

    year = serializers.IntegerField(allow_null=True)
    unit = serializers.CharField()
    signer = DocumentUserRefSerializer(allow_null=True)
    page_count = serializers.IntegerField(allow_null=True)
    copies = serializers.IntegerField(allow_null=True)
    replaces = serializers.IntegerField(
        source="replaces_id", allow_null=True, help_text=_("Văn bản được thay thế (id).")
    )
    amendment = serializers.CharField(
        help_text=_("Với replaces: replace (thay thế) hoặc correct (đính chính); rỗng nếu không.")
    )
    reply_to = serializers.IntegerField(source="reply_to_id", allow_null=True)
    recalled_at = serializers.DateTimeField(allow_null=True)
    recall_reason = serializers.CharField()
    note = serializers.CharField()
    created_by = DocumentUserRefSerializer()
    recipients = DocumentRecipientSerializer(many=True, source="recipients.all")
    approvals = DocumentApprovalStepSerializer(many=True, source="approvals.all")
    versions = DocumentDraftVersionSerializer(many=True, source="versions.all")
    comments = DocumentCommentSerializer(many=True, source="comments.all")
    files = DocumentFileSerializer(many=True, source="files.all")
    history = DocumentActivitySerializer(many=True, source="activities.all")


class DocumentSearchResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text=_("incoming (văn bản đến) hoặc outgoing (văn bản đi)."))
    subject = serializers.CharField()
    snippet = serializers.SerializerMethodField(
        help_text=_("Đoạn văn bản chứa từ khóa, dạng văn bản thuần.")
    )
    snippet_html = serializers.CharField(
        source="snippet",
        help_text=_("Đoạn trích dạng HTML đã thoát ký tự, từ khóa nằm trong thẻ <mark>."),
    )
    reference = serializers.CharField(help_text=_("Số, ký hiệu (rỗng khi chưa có số)."))
    status = serializers.CharField(help_text=STATUS_HELP)
    date = serializers.DateField(source="issued_on", allow_null=True, help_text=_("Ngày ban hành."))
    issuer_name = serializers.CharField()

    def get_snippet(self, hit: SearchHit) -> str:
        return hit.snippet_text


def search_result_json(hit: SearchHit) -> dict[str, Any]:
    """`DocumentSearchResultSerializer(hit).data` built directly: a search answers up to 100
    hits, and DRF's fields cost more than the search's own Python (a test keeps the two
    equal)."""
    return {
        "id": hit.id,
        "kind": hit.kind,
        "subject": hit.subject,
        "snippet": hit.snippet_text,
        "snippet_html": str(hit.snippet),
        "reference": hit.reference,
        "status": hit.status,
        "date": hit.issued_on.isoformat() if hit.issued_on is not None else None,
        "issuer_name": hit.issuer_name,
    }


class DocumentSearchPageSerializer(serializers.Serializer):  # type: ignore[type-arg]
    count = serializers.IntegerField(help_text=_("Số kết quả (đếm tối đa 1.000)."))
    count_capped = serializers.BooleanField(help_text=_("true: có nhiều hơn `count` kết quả."))
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = DocumentSearchResultSerializer(many=True)
