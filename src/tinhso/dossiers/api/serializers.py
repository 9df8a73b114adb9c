"""Shapes of the one-stop dossier API: the receipt, an action's parameters, the dossier.

Input serializers check the shape (types, lists, lengths that protect the database); the
rules of the law (a CCCD has 12 digits, a phone number 10 or 11, the components of the
procedure) are the services' and come back from them as Vietnamese field errors.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from tinhso.accounts.api.serializers import AgencyRefSerializer, DepartmentRefSerializer
from tinhso.accounts.models import User
from tinhso.api.plaininput import Decline, plain_reader
from tinhso.dossiers.models import (
    OPEN_STATUSES,
    ApplicantKind,
    Channel,
    Dossier,
    FeeStatus,
    PaymentMethod,
    Status,
)
from tinhso.dossiers.selectors import DossierFilter
from tinhso.dossiers.services import (
    ActionInput,
    ApplicantInput,
    ComponentInput,
    ReceiptInput,
)

STATUS_HELP = _(
    "Mã trạng thái theo danh mục quốc gia: 1 Mới đăng ký, 2 Được tiếp nhận, 3 Không được tiếp "
    "nhận, 4 Đang xử lý, 5 Yêu cầu bổ sung giấy tờ, 6 Yêu cầu thực hiện nghĩa vụ tài chính, "
    "7 Công dân yêu cầu rút hồ sơ, 8 Dừng xử lý, 9 Đã xử lý xong, 10 Đã trả kết quả."
)

# --- Input ------------------------------------------------------------------------------------


class DossierComponentInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A paper handed in: a component of the procedure (its id) or an extra paper (a name)."""

    component = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text=_("Mã số (id) thành phần hồ sơ của thủ tục, như trong chi tiết thủ tục."),
    )
    file = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text=_("Mã số (id) tệp đã tải lên qua POST /api/v1/files/."),
    )
    name = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text=_("Tên giấy tờ, khi không thuộc danh mục thành phần của thủ tục."),
    )
    originals = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=100, help_text=_("Số bản chính.")
    )
    copies = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=100, help_text=_("Số bản sao.")
    )
    paper = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "Cán bộ đã kiểm tra bản giấy (không có tệp quét); không áp dụng với hồ sơ trực tuyến."
        ),
    )

    @staticmethod
    def to_input(data: dict[str, Any]) -> ComponentInput:
        return ComponentInput(
            component=data.get("component"),
            file=data.get("file"),
            name=data.get("name", ""),
            originals=data.get("originals"),
            copies=data.get("copies"),
            paper=bool(data.get("paper", False)),
        )


class DossierApplicantInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """The applicant (chủ hồ sơ); the services check the ID number, phone and e-mail."""

    kind = serializers.ChoiceField(
        choices=ApplicantKind.choices,
        help_text=_("citizen (công dân), enterprise (doanh nghiệp), organization (tổ chức)."),
    )
    name = serializers.CharField(allow_blank=True, max_length=1000, help_text=_("Họ và tên."))
    id_number = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=100,
        help_text=_("Số căn cước (12 chữ số) của công dân; mã số của doanh nghiệp, tổ chức."),
    )
    phone = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=100, help_text=_("Số điện thoại.")
    )
    email = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=254, help_text=_("Thư điện tử.")
    )
    address = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000, help_text=_("Địa chỉ.")
    )


class DossierReceiptSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """`POST /api/v1/dossiers/`: a dossier handed in at the counter, online or by post."""

    procedure_code = serializers.CharField(
        max_length=60, help_text=_("Mã thủ tục theo danh mục quốc gia, ví dụ 1.001193.")
    )
    channel = serializers.ChoiceField(
        choices=Channel.choices,
        help_text=_("counter (trực tiếp), online (trực tuyến), post (bưu chính)."),
    )
    applicant = DossierApplicantInputSerializer()
    components = serializers.ListField(
        child=DossierComponentInputSerializer(),
        required=False,
        default=list,
        max_length=100,
        help_text=_("Thành phần hồ sơ đã nộp."),
    )
    subject = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=1000,
        help_text=_("Nội dung yêu cầu giải quyết; mặc định là tên thủ tục."),
    )  # fmt: skip
    sets = serializers.IntegerField(
        required=False, default=1, help_text=_("Số lượng hồ sơ (bộ), từ 1 đến 100.")
    )
    agency = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=_("Nơi tiếp nhận (id cơ quan), khi cán bộ làm việc ở nhiều bộ phận một cửa."),
    )
    on_incomplete = serializers.ChoiceField(
        choices=[
            ("reject", _("Trả lời các thành phần còn thiếu, không lưu hồ sơ")),
            ("request_supplement", _("Tiếp nhận và yêu cầu bổ sung (Mẫu 02)")),
        ],
        required=False,
        default="reject",
        help_text=_(
            "Hồ sơ thiếu thành phần: reject (mặc định, trả lỗi 400 nêu thành phần thiếu) hoặc "
            "request_supplement (lưu ở trạng thái 5 và yêu cầu bổ sung)."
        ),
    )
    fee_status = serializers.ChoiceField(
        choices=FeeStatus.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Phí, lệ phí đã thu khi tiếp nhận: paid, exempt hoặc unpaid."),
    )
    fee_method = serializers.ChoiceField(
        choices=PaymentMethod.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Hình thức thanh toán: cash, transfer, online."),
    )
    fee_receipt_number = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=50, help_text=_("Số biên lai.")
    )

    def to_input(self) -> ReceiptInput:
        return _receipt_input_of(self.validated_data)


def _receipt_input_of(data: dict[str, Any]) -> ReceiptInput:
    """The service's input from `DossierReceiptSerializer`'s validated data."""
    applicant = data["applicant"]
    return ReceiptInput(
        procedure_code=data["procedure_code"],
        channel=data["channel"],
        applicant=ApplicantInput(
            kind=applicant["kind"],
            name=applicant["name"],
            id_number=applicant["id_number"],
            phone=applicant["phone"],
            email=applicant["email"],
            address=applicant["address"],
        ),
        components=tuple(
            DossierComponentInputSerializer.to_input(c) for c in data.get("components", [])
        ),
        subject=data["subject"],
        sets=data["sets"],
        agency=data.get("agency"),
        on_incomplete=data["on_incomplete"],
        fee_status=data["fee_status"],
        fee_method=data["fee_method"],
        fee_receipt_number=data["fee_receipt_number"],
    )


# --- The receipt's happy path -----------------------------------------------------------------
# A well-formed receipt is read from the serializer's declarations without DRF's per-request
# copies of its fields (`tinhso.api.plaininput`); the serializer judges the others
# (tests/test_receipt_input.py compares both on generated bodies).

_read_receipt = plain_reader(DossierReceiptSerializer)


def receipt_input(data: Any) -> ReceiptInput | None:
    """The receipt in a request body when it is plainly valid; None when the serializer must
    judge it (`DossierReceiptSerializer(data=…).is_valid()`)."""
    if _read_receipt is None:
        return None
    try:
        return _receipt_input_of(_read_receipt(data))
    except Decline:
        return None


class DossierActionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """The parameters of an action; each action reads the ones it needs."""

    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text=_(
            "Lý do: bắt buộc khi yêu cầu bổ sung, từ chối, trả về bước trước, xin lỗi hẹn lại, "
            "dừng xử lý; căn cứ khi miễn phí."
        ),
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text=_("Ghi chú, ý kiến xử lý; ý kiến của người nộp khi đánh giá."),
    )
    to_user = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=_("Người nhận ở bước tiếp theo (id tài khoản) khi chuyển bước."),
    )
    new_due_date = serializers.DateField(
        required=False, allow_null=True, help_text=_("Ngày hẹn trả lại (xin lỗi, hẹn lại).")
    )
    files = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        max_length=50,
        help_text=_("Tệp kết quả (id tệp đã tải lên)."),
    )
    components = serializers.ListField(
        child=DossierComponentInputSerializer(),
        required=False,
        default=list,
        max_length=100,
        help_text=_("Thành phần nộp bổ sung."),
    )
    method = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=20,
        help_text=_("Thanh toán: cash, transfer, online; trả kết quả: counter, post, online."),
    )
    receipt_number = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200, help_text=_("Số biên lai.")
    )
    amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=0,
        required=False,
        allow_null=True,
        help_text=_("Số tiền (đồng)."),
    )
    exempt = serializers.BooleanField(
        required=False, default=False, help_text=_("Miễn phí, lệ phí (cần nêu căn cứ).")
    )
    rating = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=20,
        help_text=_("Đánh giá: very_satisfied, satisfied, unsatisfied."),
    )

    def to_input(self) -> ActionInput:
        data: dict[str, Any] = self.validated_data
        return ActionInput(
            reason=data["reason"],
            note=data["note"],
            to_user=data.get("to_user"),
            new_due_date=data.get("new_due_date"),
            files=tuple(data["files"]),
            components=tuple(
                DossierComponentInputSerializer.to_input(c) for c in data.get("components", [])
            ),
            method=data["method"],
            receipt_number=data["receipt_number"],
            amount=data.get("amount"),
            exempt=data["exempt"],
            rating=data["rating"],
        )


class DossierFilterSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """Query parameters of the dossier list (documented in the OpenAPI schema)."""

    status = serializers.IntegerField(
        required=False, min_value=1, max_value=10, help_text=STATUS_HELP
    )
    procedure = serializers.CharField(
        required=False, allow_blank=True, max_length=60, help_text=_("Mã thủ tục.")
    )
    agency = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_("Nơi tiếp nhận hồ sơ (id cơ quan)."),
    )
    handling_agency = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_("Cơ quan đang xử lý hồ sơ (id cơ quan)."),
    )
    overdue = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("true: chỉ hồ sơ quá hạn; false: chỉ hồ sơ chưa quá hạn."),
    )
    received_from = serializers.DateField(
        required=False, help_text=_("Nộp từ ngày (YYYY-MM-DD), theo giờ Việt Nam.")
    )
    received_to = serializers.DateField(
        required=False, help_text=_("Nộp đến hết ngày (YYYY-MM-DD), theo giờ Việt Nam.")
    )
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text=_(
            "Tìm theo mã hồ sơ, họ tên, số điện thoại hoặc số giấy tờ của người nộp, không "
            "phân biệt dấu và hoa thường."
        ),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("received_from"), attrs.get("received_to")
        if start is not None and end is not None and start > end:
            raise serializers.ValidationError(
                {"received_to": [_("Ngày kết thúc phải từ ngày bắt đầu trở đi.")]}
            )
        return attrs

    def to_filter(self) -> DossierFilter:
        data: dict[str, Any] = self.validated_data
        return DossierFilter(
            status=data.get("status"),
            procedure=data.get("procedure", ""),
            agency=data.get("agency"),
            handling_agency=data.get("handling_agency"),
            overdue=data.get("overdue"),
            received_from=data.get("received_from"),
            received_to=data.get("received_to"),
            q=data.get("q", ""),
        )


# --- Output -----------------------------------------------------------------------------------


class DossierStepSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A step of the procedure's internal process."""

    order = serializers.IntegerField(help_text=_("Thứ tự bước trong quy trình."))
    name = serializers.CharField()
    kind = serializers.CharField(help_text=_("receive, process, approve hoặc return."))


class DossierUserRefSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField(help_text=_("Họ và tên."))

    def get_name(self, user: User) -> str:
        return user.full_name or user.username


class DossierApplicantSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """The applicant's personal data: shown to officials only, never on the public endpoint."""

    kind = serializers.CharField(source="applicant_kind")
    name = serializers.CharField(source="applicant_name")
    id_number = serializers.CharField(source="applicant_id_number")
    phone = serializers.CharField(source="applicant_phone")
    email = serializers.CharField(source="applicant_email")
    address = serializers.CharField(source="applicant_address")


class DossierFeeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    amount = serializers.IntegerField(source="fee_amount", help_text=_("Số tiền (đồng)."))
    status = serializers.CharField(
        source="fee_status", help_text=_("none, unpaid, paid hoặc exempt.")
    )
    method = serializers.CharField(source="fee_method", help_text=_("cash, transfer, online."))
    receipt_number = serializers.CharField(source="fee_receipt_number")
    paid_at = serializers.DateTimeField(source="fee_paid_at", allow_null=True)


_DATETIME = serializers.DateTimeField()


def _moment(value: dt.datetime | None) -> str | None:
    return None if value is None else str(_DATETIME.to_representation(value))


#: The columns a list row needs, read with `.values()`: a page of 50 then costs no model
#: instances (the ORM's row-to-object work was most of a page's CPU).
ROW_FIELDS: tuple[str, ...] = (
    "code", "status", "procedure_version__procedure__code", "procedure_version__name",
    "procedure_version__number", "channel", "rule_set", "subject", "submitted_at",
    "received_at", "due_at", "extended_due_at", "resolved_at", "returned_at", "is_late",
    "current_step_id", "current_step__order", "current_step__name", "current_step__kind",
    "current_agency_id", "current_agency__code", "current_agency__name", "receiving_agency_id",
    "receiving_agency__code", "receiving_agency__name", "applicant_kind", "applicant_name",
    "applicant_id_number", "applicant_phone", "applicant_email", "applicant_address",
    "fee_amount", "fee_status", "fee_method", "fee_receipt_number", "fee_paid_at", "rating",
)  # fmt: skip


def _values_of(d: Dossier) -> dict[str, Any]:
    version, step = d.procedure_version, d.current_step
    current, receiving = d.current_agency, d.receiving_agency
    values = {name: getattr(d, name) for name in ROW_FIELDS if "__" not in name}
    values.update(
        {
            "procedure_version__procedure__code": version.procedure.code,
            "procedure_version__name": version.name,
            "procedure_version__number": version.number,
            "current_step__order": step.order if step else None,
            "current_step__name": step.name if step else None,
            "current_step__kind": step.kind if step else None,
            "current_agency__code": current.code if current else None,
            "current_agency__name": current.name if current else None,
            "receiving_agency__code": receiving.code,
            "receiving_agency__name": receiving.name,
        }
    )
    return values


def dossier_row(d: Dossier) -> dict[str, Any]:
    """`DossierSerializer`'s output for a dossier object."""
    return dossier_row_values(_values_of(d))


def dossier_row_values(v: dict[str, Any]) -> dict[str, Any]:
    """`DossierSerializer`'s output from a row of `.values(*ROW_FIELDS)`."""
    status = v["status"]
    due_at = v["due_at"]
    return {
        "code": v["code"],
        "status": status,
        "status_name": str(Status(status).label),
        "procedure_code": v["procedure_version__procedure__code"],
        "procedure_name": v["procedure_version__name"],
        "procedure_version": v["procedure_version__number"],
        "channel": v["channel"],
        "rule_set": v["rule_set"],
        "subject": v["subject"],
        "submitted_at": _moment(v["submitted_at"]),
        "received_at": _moment(v["received_at"]),
        "due_at": _moment(due_at),
        "extended_due_at": _moment(v["extended_due_at"]),
        "resolved_at": _moment(v["resolved_at"]),
        "returned_at": _moment(v["returned_at"]),
        "is_late": v["is_late"],
        "overdue": v["is_late"]
        or (status in OPEN_STATUSES and due_at is not None and due_at < timezone.now()),
        "current_step": None
        if v["current_step_id"] is None
        else {
            "order": v["current_step__order"],
            "name": v["current_step__name"],
            "kind": v["current_step__kind"],
        },
        "current_agency": None
        if v["current_agency_id"] is None
        else {
            "id": v["current_agency_id"],
            "code": v["current_agency__code"],
            "name": v["current_agency__name"],
        },
        "receiving_agency": {
            "id": v["receiving_agency_id"],
            "code": v["receiving_agency__code"],
            "name": v["receiving_agency__name"],
        },
        "applicant": {
            "kind": v["applicant_kind"],
            "name": v["applicant_name"],
            "id_number": v["applicant_id_number"],
            "phone": v["applicant_phone"],
            "email": v["applicant_email"],
            "address": v["applicant_address"],
        },
        "fee": {
            "amount": int(v["fee_amount"]),
            "status": v["fee_status"],
            "method": v["fee_method"],
            "receipt_number": v["fee_receipt_number"],
            "paid_at": _moment(v["fee_paid_at"]),
        },
        "rating": v["rating"],
    }


class DossierSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A dossier in a list: what the counter and the specialists see at a glance."""

    code = serializers.CharField(help_text=_("Mã hồ sơ {mã cơ quan}-{yyMMdd}-{NNNN}."))
    status = serializers.IntegerField(help_text=STATUS_HELP)
    status_name = serializers.SerializerMethodField(help_text=_("Tên trạng thái."))
    procedure_code = serializers.CharField(source="procedure_version.procedure.code")
    procedure_name = serializers.CharField(source="procedure_version.name")
    procedure_version = serializers.IntegerField(
        source="procedure_version.number", help_text=_("Phiên bản thủ tục khi tiếp nhận.")
    )
    channel = serializers.CharField(help_text=_("counter, online hoặc post."))
    rule_set = serializers.CharField(
        help_text=_("Quy định áp dụng: nd61_2018 hoặc nd118_2025 (theo ngày tiếp nhận).")
    )
    subject = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    received_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True, help_text=_("Hẹn trả kết quả."))
    extended_due_at = serializers.DateTimeField(
        allow_null=True, help_text=_("Hẹn trả lại sau văn bản xin lỗi (Mẫu 04).")
    )
    resolved_at = serializers.DateTimeField(allow_null=True)
    returned_at = serializers.DateTimeField(allow_null=True)
    is_late = serializers.BooleanField(
        help_text=_("Đã được xác định trễ hạn (xử lý xong sau hạn, hoặc đã xin lỗi hẹn lại).")
    )
    overdue = serializers.SerializerMethodField(
        help_text=_("Quá hạn: còn đang giải quyết mà đã qua hẹn trả, hoặc đã trễ hạn.")
    )
    current_step = DossierStepSerializer(allow_null=True)
    current_agency = AgencyRefSerializer(allow_null=True)
    receiving_agency = AgencyRefSerializer()
    applicant = DossierApplicantSerializer(source="*")
    fee = DossierFeeSerializer(source="*")
    rating = serializers.CharField(help_text=_("very_satisfied, satisfied, unsatisfied hoặc rỗng."))

    def to_representation(self, instance: Dossier) -> dict[str, Any]:
        # A page holds 50 of these: build the row directly (the declared fields above stay the
        # contract and the OpenAPI schema; test_api compares both). The detail serializer adds
        # fields and goes through DRF.
        if type(self) is not DossierSerializer:
            return dict(super().to_representation(instance))
        return dossier_row(instance)

    def get_status_name(self, dossier: Dossier) -> str:
        return str(Status(dossier.status).label)

    def get_overdue(self, dossier: Dossier) -> bool:
        # The same rule as the list's `overdue` filter (selectors.dossier_list).
        if dossier.is_late:
            return True
        return (
            dossier.status in OPEN_STATUSES
            and dossier.due_at is not None
            and dossier.due_at < timezone.now()
        )


class DossierComponentSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    component = serializers.IntegerField(
        source="component_id", allow_null=True, help_text=_("Thành phần của thủ tục (id).")
    )
    name = serializers.CharField()
    file = serializers.IntegerField(source="file_id", allow_null=True, help_text=_("Tệp (id)."))
    file_name = serializers.CharField(source="file.name", allow_null=True, default=None)
    originals = serializers.IntegerField()
    copies = serializers.IntegerField()
    provided = serializers.BooleanField(help_text=_("Đã nộp (có tệp hoặc bản giấy)."))


class DossierHandoverSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A row of the control slip (Phiếu kiểm soát quá trình giải quyết hồ sơ, Mẫu 05)."""

    seq = serializers.IntegerField()
    action = serializers.CharField()
    step = DossierStepSerializer(allow_null=True)
    from_agency = AgencyRefSerializer(allow_null=True)
    from_department = DepartmentRefSerializer(allow_null=True)
    from_user = DossierUserRefSerializer(allow_null=True)
    to_agency = AgencyRefSerializer(allow_null=True)
    to_department = DepartmentRefSerializer(allow_null=True)
    to_user = DossierUserRefSerializer(allow_null=True)
    handed_at = serializers.DateTimeField(help_text=_("Thời điểm giao."))
    step_due_at = serializers.DateTimeField(allow_null=True, help_text=_("Hạn của bước."))
    completed_at = serializers.DateTimeField(allow_null=True, help_text=_("Thời điểm xong."))
    outcome = serializers.CharField(help_text=_("early (trước hạn), on_time, late hoặc rỗng."))
    note = serializers.CharField()


class DossierActivitySerializer(serializers.Serializer):  # type: ignore[type-arg]
    action = serializers.CharField()
    status_from = serializers.IntegerField(allow_null=True)
    status_to = serializers.IntegerField()
    actor = serializers.CharField(source="actor_label", help_text=_("Người thực hiện."))
    note = serializers.CharField()
    occurred_at = serializers.DateTimeField()


class DossierResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    file = serializers.IntegerField(source="file_id", help_text=_("Tệp (id)."))
    name = serializers.CharField()
    added_at = serializers.DateTimeField()


class DossierDetailSerializer(DossierSerializer):
    """A dossier with its components, the control slip (Mẫu 05), history and results."""

    resolving_agency = AgencyRefSerializer()
    current_department = DepartmentRefSerializer(allow_null=True)
    current_assignee = DossierUserRefSerializer(allow_null=True)
    step_due_at = serializers.DateTimeField(allow_null=True, help_text=_("Hạn của bước hiện tại."))
    transfer_at = serializers.DateTimeField(allow_null=True)
    apologized_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    sets = serializers.IntegerField()
    reason = serializers.CharField(help_text=_("Lý do của quyết định gần nhất."))
    result_note = serializers.CharField()
    return_method = serializers.CharField()
    rating_comment = serializers.CharField()
    components = DossierComponentSerializer(many=True, source="components.all")
    handovers = DossierHandoverSerializer(many=True, source="handovers.all")
    activities = DossierActivitySerializer(many=True, source="activities.all")
    results = DossierResultSerializer(many=True, source="results.all")


class PublicDossierSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """What anyone may learn by the code (`selectors.PublicView`): never personal data."""

    code = serializers.CharField()
    status = serializers.IntegerField(help_text=STATUS_HELP)
    status_name = serializers.CharField()
    procedure_code = serializers.CharField()
    procedure_name = serializers.CharField()
    received_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    extended_due_at = serializers.DateTimeField(allow_null=True)
    returned_at = serializers.DateTimeField(allow_null=True)
    handling_agency = serializers.CharField(help_text=_("Cơ quan đang giải quyết hồ sơ."))
    applicant = serializers.CharField(
        source="applicant_masked", help_text=_("Tên người nộp đã che, ví dụ N. V. A***.")
    )


__all__ = [
    "DossierActionSerializer",
    "DossierDetailSerializer",
    "DossierFilterSerializer",
    "DossierReceiptSerializer",
    "DossierSerializer",
    "PublicDossierSerializer",
]
