"""/api/v1/dossiers/: receive, list, read and act on one-stop dossiers; public tracking.

Thin views: parse the input, `access_dossier` (404 when the dossier is hidden), the service,
the dossier back. Errors are problem documents (`tinhso.api.problems`); this module adds the
dossiers' own: `TransitionRefused` → 409 with its `code`, and the services' dotted field
names ("applicant.id_number") nested like the request body.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tinhso.accounts.access import actor_for
from tinhso.accounts.models import User
from tinhso.api.pagination import CappedCountPagination
from tinhso.api.problems import Conflict, problem_response
from tinhso.api.schema import PROBLEM
from tinhso.dossiers.access import access_dossier
from tinhso.dossiers.api.pagination import WindowPaginator
from tinhso.dossiers.api.serializers import (
    ROW_FIELDS,
    DossierActionSerializer,
    DossierDetailSerializer,
    DossierFilterSerializer,
    DossierReceiptSerializer,
    DossierSerializer,
    PublicDossierSerializer,
    dossier_row_values,
    receipt_input,
)
from tinhso.dossiers.models import Dossier
from tinhso.dossiers.public import lookup, tracking_limit
from tinhso.dossiers.rules import Action, TransitionRefused
from tinhso.dossiers.selectors import dossier_detail, dossier_list
from tinhso.dossiers.services import dossier_act, dossier_receive, dossier_result_sign
from tinhso.signatures.access import access_signing_key
from tinhso.web.ratelimit import hit

TAGS = ["dossiers"]

CODE_PARAMETER = OpenApiParameter(
    "code",
    str,
    OpenApiParameter.PATH,
    description="Mã hồ sơ, ví dụ H57.13-261207-0001.",
)


# --- Errors -----------------------------------------------------------------------------------


class DossierConflict(Conflict):
    """A refused transition (HTTP 409), keeping the service's reason code
    (`illegal_transition`, `supplement_once`, `idempotency_conflict`, …)."""

    def __init__(self, refused: TransitionRefused) -> None:
        super().__init__(detail=refused.message, code=refused.code)
        # The problem handler names the reason by `default_code`.
        self.default_code = refused.code


def nest_errors(flat: Mapping[str, Any]) -> dict[str, Any]:
    """The services' field errors keyed like the request body: "applicant.id_number" →
    {"applicant": {"id_number": [...]}}; a key that is both a field and a parent stays flat."""
    nested: dict[str, Any] = {}
    groups: dict[str, dict[str, Any]] = {}
    for key, messages in flat.items():
        head, dot, rest = key.partition(".")
        if dot and head not in flat:
            groups.setdefault(head, {})[rest] = messages
        else:
            nested[key] = messages
    for head, inner in groups.items():
        nested[head] = nest_errors(inner)
    return nested


def api_error(exc: Exception) -> Exception:
    """The dossier services' exceptions as the API's; others unchanged."""
    if isinstance(exc, TransitionRefused):
        return DossierConflict(exc)
    if isinstance(exc, DjangoValidationError) and hasattr(exc, "error_dict"):
        return exceptions.ValidationError(detail=nest_errors(exc.message_dict))
    if isinstance(exc, Http404):
        # Keep the Vietnamese reason ("Không tìm thấy hồ sơ “…”.").
        return exceptions.NotFound(detail=str(exc) or None)
    return exc


class IsOfficial(BasePermission):
    """The one-stop API shows the applicants' personal data: officials only."""

    message = gettext_lazy("Chức năng này dành cho cán bộ, công chức có vị trí công tác.")

    def has_permission(self, request: Request, view: Any) -> bool:
        actor = actor_for(request.user)
        return actor.is_official or actor.is_provincial_admin


class _DossierView(APIView):
    permission_classes = [IsAuthenticated, IsOfficial]

    def handle_exception(self, exc: Exception) -> Response:
        return super().handle_exception(api_error(exc))


def _dossier_body(request: Request, code: str) -> dict[str, Any]:
    """The dossier as its detail shows it (read again, with every related row prefetched)."""
    return dict(DossierDetailSerializer(dossier_detail(actor_for(request.user), code)).data)


# --- Views ------------------------------------------------------------------------------------


class DossierPagination(CappedCountPagination):
    """Twenty pages of 50 are what anyone reads before narrowing the filter; counting the
    hundreds of thousands of a busy counter's returned dossiers cost more than the page.

    `windowed` (set by the view for a search): count and page from `WindowPaginator`'s one
    read. The plain lists keep a count and a page of their own: walking their index for 50
    rows costs less than for 1,001.
    """

    cap = 1_000
    windowed = False

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        if not self.windowed:
            return super().paginate_queryset(queryset, request, view)
        # The grandparent's: CappedCountPagination's own would put back its paginator.
        self.django_paginator_class = partial(WindowPaginator, cap=self.cap)  # type: ignore[assignment]
        return super(CappedCountPagination, self).paginate_queryset(queryset, request, view)


class DossierListView(_DossierView, generics.GenericAPIView[Dossier]):
    serializer_class = DossierSerializer
    pagination_class = DossierPagination

    @extend_schema(
        operation_id="dossiers_list",
        summary="Danh sách hồ sơ một cửa",
        description=(
            "Hồ sơ người gọi được xem, mới nhất trước, phân trang: cán bộ một cửa thấy hồ sơ "
            "tiếp nhận tại cơ quan mình (bộ phận một cửa cấp xã chỉ thấy hồ sơ của xã); phòng "
            "ban thấy hồ sơ có bước giao cho mình; lãnh đạo thấy hồ sơ đã qua cơ quan mình. "
            "Lọc theo trạng thái, thủ tục, cơ quan, quá hạn, khoảng ngày nộp và từ khóa "
            "(không phân biệt dấu)."
        ),
        parameters=[DossierFilterSerializer],
        responses={200: DossierSerializer(many=True), 400: PROBLEM, 401: PROBLEM, 403: PROBLEM},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        filters = DossierFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = filters.to_filter()
        rows = dossier_list(actor_for(request.user), wanted)
        # A search sorts all its matches whatever the page: count and page from one read.
        cast(DossierPagination, self.paginator).windowed = bool(wanted.q.strip())
        # Two steps: the page's ids from the filtered rows alone (no join, so that PostgreSQL
        # cannot drive a name search from the agencies table, 130 × the full-text index), then
        # those 50 rows with their related columns.
        ids = self.paginate_queryset(rows.values_list("pk", flat=True))
        assert ids is not None  # the API always paginates
        found = {v["id"]: v for v in Dossier.objects.filter(pk__in=ids).values("id", *ROW_FIELDS)}
        return self.get_paginated_response([dossier_row_values(found[pk]) for pk in ids])

    @extend_schema(
        operation_id="dossiers_receive",
        summary="Tiếp nhận hồ sơ",
        description=(
            "Cán bộ một cửa tiếp nhận hồ sơ (trực tiếp, trực tuyến, bưu chính). Hồ sơ đủ thành "
            "phần được cấp mã, hẹn trả và chuyển xử lý ngay (trạng thái 4), hoặc đầu ngày làm "
            "việc tiếp theo nếu tiếp nhận sau 15 giờ (trạng thái 2). Hồ sơ thiếu: 400 nêu các "
            "thành phần còn thiếu (errors.components), hoặc tiếp nhận và yêu cầu bổ sung "
            "(trạng thái 5) với on_incomplete=request_supplement. Gửi lại cùng tiêu đề "
            "Idempotency-Key trả hồ sơ đã tạo (200), không tạo hồ sơ thứ hai; cùng khóa với "
            "nội dung khác: 409."
        ),
        request=DossierReceiptSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description=(
                    "Khóa do bên gọi sinh (ví dụ UUID), tối đa 255 ký tự: yêu cầu gửi lại "
                    "với cùng khóa trả về hồ sơ đã tạo lần đầu."
                ),
            )
        ],
        responses={
            201: OpenApiResponse(
                DossierSerializer, description="Hồ sơ mới (chi tiết đầy đủ tại Location)."
            ),
            200: OpenApiResponse(
                DossierSerializer, description="Gửi lại cùng Idempotency-Key: hồ sơ đã tạo."
            ),
            400: OpenApiResponse(
                PROBLEM.response,
                description="Dữ liệu không hợp lệ hoặc thiếu thành phần hồ sơ (errors theo trường).",
            ),
            401: PROBLEM,
            403: PROBLEM,
            409: OpenApiResponse(
                PROBLEM.response,
                description="Idempotency-Key đã dùng cho yêu cầu khác (code idempotency_conflict).",
            ),
        },
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        # Most receipts are well-formed: read them without DRF's per-request field copies; the
        # serializer judges (and words the errors of) the others.
        data = receipt_input(request.data)
        if data is None:
            incoming = DossierReceiptSerializer(data=request.data)
            incoming.is_valid(raise_exception=True)
            data = incoming.to_input()
        dossier, created = dossier_receive(
            actor=cast(User, request.user),
            data=data,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
        )
        # The dossier as the list shows it (the objects the service holds, no second read); its
        # full detail is at Location.
        body = dict(DossierSerializer(dossier).data)
        if not created:
            return Response(body, status=status.HTTP_200_OK)
        return Response(
            body,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("dossier-detail", args=[dossier.code])},
        )


class DossierDetailView(_DossierView):
    @extend_schema(
        operation_id="dossiers_retrieve",
        summary="Chi tiết hồ sơ",
        description=(
            "Hồ sơ với thành phần, phiếu kiểm soát quá trình giải quyết (Mẫu 05), lịch sử xử "
            "lý và tệp kết quả. Hồ sơ người gọi không được xem: 404."
        ),
        parameters=[CODE_PARAMETER],
        responses={200: DossierDetailSerializer, 401: PROBLEM, 403: PROBLEM, 404: PROBLEM},
        tags=TAGS,
    )
    def get(self, request: Request, code: str) -> Response:
        return Response(_dossier_body(request, code))


class DossierActionView(_DossierView):
    @extend_schema(
        operation_id="dossiers_act",
        summary="Thao tác trên hồ sơ",
        description=(
            "Một bước của quy trình: tiếp nhận (accept), yêu cầu bổ sung (request-supplement, "
            "một lần), nhận bổ sung (supplement), từ chối (refuse), chuyển xử lý (transfer), "
            "chuyển bước (forward), trả về bước trước (send-back), phê duyệt (approve), yêu "
            "cầu nghĩa vụ tài chính (request-payment), thanh toán (pay), xin lỗi hẹn lại "
            "(apologize), rút hồ sơ (withdraw), dừng xử lý (stop), trả kết quả "
            "(return-result), đánh giá (rate), đính kèm kết quả (attach-result). Hồ sơ không "
            "được xem: 404; không có quyền thao tác: 403; trạng thái không cho phép: 409."
        ),
        parameters=[
            CODE_PARAMETER,
            OpenApiParameter(
                "action",
                str,
                OpenApiParameter.PATH,
                enum=[a.value for a in Action],
                description="Thao tác.",
            ),
        ],
        request=DossierActionSerializer,
        responses={
            200: DossierDetailSerializer,
            400: PROBLEM,
            401: PROBLEM,
            403: PROBLEM,
            404: PROBLEM,
            409: OpenApiResponse(
                PROBLEM.response,
                description="Trạng thái hồ sơ không cho phép thao tác (code nêu lý do).",
            ),
        },
        tags=TAGS,
    )
    def post(self, request: Request, code: str, action: str) -> Response:
        try:
            act = Action(action)
        except ValueError as exc:
            raise exceptions.NotFound(
                _("Không có thao tác “%(action)s” trên hồ sơ.") % {"action": action[:40]}
            ) from exc
        access_dossier(actor_for(request.user), code)
        incoming = DossierActionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        dossier_act(actor=cast(User, request.user), code=code, action=act, data=incoming.to_input())
        return Response(_dossier_body(request, code))


class PublicDossierView(APIView):
    """Tracking by code without signing in: no personal data, rate-limited per address."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="public_dossiers_retrieve",
        summary="Tra cứu hồ sơ theo mã (công khai)",
        description=(
            "Không cần đăng nhập. Trạng thái, thủ tục, thời điểm tiếp nhận, hẹn trả, trả kết "
            "quả và cơ quan đang giải quyết; tên người nộp đã che; không bao giờ có số giấy "
            "tờ, điện thoại, thư điện tử, địa chỉ. Giới hạn số lần tra cứu mỗi phút theo địa "
            "chỉ (TINHSO_PUBLIC_TRACKING_PER_MINUTE): vượt quá nhận 429 với Retry-After."
        ),
        parameters=[CODE_PARAMETER],
        responses={200: PublicDossierSerializer, 404: PROBLEM, 429: PROBLEM},
        tags=TAGS,
    )
    def get(self, request: Request, code: str) -> Response:
        # Count before the lookup: misses are what a script walking the code space makes.
        allowed, retry_after = hit("track", request._request, limit=tracking_limit())
        if not allowed:
            return problem_response(
                429,
                _("Bạn tra cứu quá nhiều lần. Vui lòng thử lại sau %(s)d giây.")
                % {"s": retry_after},
                code="throttled",
                headers={"Retry-After": str(retry_after)},
            )
        view = lookup(code)
        if view is None:
            raise exceptions.NotFound(
                _("Không tìm thấy hồ sơ có mã “%(code)s”.") % {"code": code[:60]}
            )
        return Response(PublicDossierSerializer(view).data)


class ResultSignSerializer(serializers.Serializer):  # type: ignore[type-arg]
    key = serializers.IntegerField(help_text="Mã khóa ký số (GET /api/v1/signatures/keys/).")
    pin = serializers.CharField(trim_whitespace=False, max_length=64, write_only=True)
    otp = serializers.CharField(required=False, allow_blank=True, max_length=12, write_only=True)


class DossierResultSignView(_DossierView):
    @extend_schema(
        operation_id="dossiers_result_sign",
        summary="Ký số tệp kết quả của hồ sơ",
        description=(
            "Ký tệp kết quả bằng khóa của cơ quan (con dấu) hoặc khóa cá nhân trên thiết bị "
            "(PIN, và OTP với tài khoản có xác thực hai lớp). Tệp kết quả của hồ sơ trở thành "
            "tệp đã ký; bản chưa ký vẫn được lưu. Người xử lý bước hiện tại hoặc bộ phận một "
            "cửa, khi hồ sơ đang xử lý hoặc đã xử lý xong."
        ),
        parameters=[CODE_PARAMETER],
        request=ResultSignSerializer,
        responses={
            200: DossierDetailSerializer,
            400: PROBLEM,
            401: PROBLEM,
            403: PROBLEM,
            404: PROBLEM,
        },
        tags=TAGS,
    )
    def post(self, request: Request, code: str, result_id: int) -> Response:
        actor = actor_for(request.user)
        access_dossier(actor, code)
        incoming = ResultSignSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        key = access_signing_key(actor, incoming.validated_data["key"])
        dossier_result_sign(
            actor=cast(User, request.user),
            code=code,
            result_id=result_id,
            key=key,
            pin=incoming.validated_data["pin"],
            otp=incoming.validated_data.get("otp", ""),
        )
        return Response(_dossier_body(request, code))
