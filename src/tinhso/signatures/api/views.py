"""/api/v1/signatures/: check a PDF's signatures (anyone), the trust list (provincial
administrator), the caller's keys, signing a stored PDF, the report of a stored file."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tinhso.accounts.access import actor_for
from tinhso.accounts.models import User
from tinhso.api.schema import PROBLEM
from tinhso.files.access import access_file
from tinhso.files.api.uploads import PayloadTooLarge, UploadLimitHandler
from tinhso.files.limits import human_size, max_upload_bytes
from tinhso.signatures import selectors, services
from tinhso.signatures.access import access_signing_key, may_manage_trust_list, usable_keys
from tinhso.signatures.api.serializers import (
    SignatureRecordSerializer,
    SigningKeySerializer,
    SignRequestSerializer,
    TrustRootCreateSerializer,
    TrustRootSerializer,
    TrustRootUpdateSerializer,
    ValidateRequestSerializer,
    ValidationResultSerializer,
)
from tinhso.signatures.models import TrustRoot
from tinhso.signatures.public import check_rate, parse_moment
from tinhso.signatures.sandbox import PdfRefused


class Throttled(exceptions.Throttled):
    pass


class ValidateView(APIView):
    """Anyone may check whether a receipt, a result or a document is authentic."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    parser_classes = [MultiPartParser]

    def initialize_request(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Request:
        self.upload_limit = UploadLimitHandler(request, max_upload_bytes())
        request.upload_handlers.insert(0, self.upload_limit)
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(
        operation_id="signatures_validate",
        summary="Kiểm tra chữ ký số của tệp PDF",
        description=(
            "Không cần đăng nhập. Gửi multipart/form-data: `file` (PDF), tùy chọn `at` (thời "
            "điểm kiểm tra, ISO 8601, để kiểm tra văn bản lưu trữ như tại lúc ký) và "
            "`agency_code` (mã định danh của cơ quan được cho là đã ban hành). Kết quả: "
            "`verdict` của cả tệp (valid, invalid, indeterminate, unsigned) và từng chữ ký: "
            "người ký, mã định danh cơ quan, thời điểm ký, mức PAdES, toàn vẹn, tin cậy, bị "
            "sửa đổi sau khi ký, lý do. Tệp không phải PDF: 400."
        ),
        tags=["signatures"],
        request={"multipart/form-data": ValidateRequestSerializer},
        responses={
            200: ValidationResultSerializer,
            400: OpenApiResponse(PROBLEM.response, description="Không phải PDF, thời điểm sai."),
            413: PROBLEM,
            429: PROBLEM,
        },
    )
    def post(self, request: Request) -> Response:
        allowed, retry_after = check_rate(request._request)
        if not allowed:
            raise Throttled(wait=retry_after)
        uploads = request.FILES.getlist("file")
        if self.upload_limit.exceeded:
            raise PayloadTooLarge(
                _("Tệp tải lên vượt quá dung lượng tối đa %(limit)s.")
                % {"limit": human_size(max_upload_bytes())}
            )
        if len(uploads) != 1:
            raise exceptions.ValidationError(
                {"file": [_("Gửi đúng một tệp PDF trong trường “file” (multipart/form-data).")]}
            )
        fields = request.POST
        at = parse_moment(fields.get("at", ""))
        agency_code = str(fields.get("agency_code", "") or "").strip().upper() or None
        data = uploads[0].read()
        try:
            report = services.pdf_check(data=data, at=at, expected_agency_code=agency_code)
        except PdfRefused as exc:
            raise exceptions.ValidationError({"file": [str(exc)]}) from None
        return Response(report)


class _TrustListView(APIView):
    parser_classes = [JSONParser]

    def _require_admin(self, request: Request) -> None:
        if not may_manage_trust_list(actor_for(request.user)):
            raise exceptions.PermissionDenied(
                _("Chỉ quản trị cấp tỉnh được quản lý danh sách tin cậy.")
            )


class TrustRootListView(_TrustListView):
    @extend_schema(
        operation_id="signatures_trust_roots_list",
        summary="Danh sách chứng thư gốc tin cậy",
        tags=["signatures"],
        responses={200: TrustRootSerializer(many=True), 401: PROBLEM, 403: PROBLEM},
    )
    def get(self, request: Request) -> Response:
        self._require_admin(request)
        roots = TrustRoot.objects.order_by("-enabled", "subject")
        return Response(TrustRootSerializer(roots, many=True).data)

    @extend_schema(
        operation_id="signatures_trust_roots_create",
        summary="Thêm chứng thư gốc tin cậy",
        description="Quản trị cấp tỉnh thêm một chứng thư CA (PEM) vào danh sách tin cậy.",
        tags=["signatures"],
        request=TrustRootCreateSerializer,
        responses={201: TrustRootSerializer, 400: PROBLEM, 401: PROBLEM, 403: PROBLEM},
    )
    def post(self, request: Request) -> Response:
        self._require_admin(request)
        body = TrustRootCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        assert isinstance(request.user, User)
        root = services.trust_root_add(
            actor=request.user,
            pem=body.validated_data["pem"],
            note=body.validated_data.get("note", ""),
        )
        return Response(TrustRootSerializer(root).data, status=status.HTTP_201_CREATED)


class TrustRootDetailView(_TrustListView):
    serializer_class = TrustRootSerializer

    @extend_schema(
        operation_id="signatures_trust_roots_retrieve",
        summary="Một chứng thư gốc tin cậy",
        tags=["signatures"],
        responses={200: TrustRootSerializer, 401: PROBLEM, 403: PROBLEM, 404: PROBLEM},
    )
    def get(self, request: Request, root_id: int) -> Response:
        self._require_admin(request)
        return Response(TrustRootSerializer(get_object_or_404(TrustRoot, pk=root_id)).data)

    @extend_schema(
        operation_id="signatures_trust_roots_update",
        summary="Bật, tắt hoặc giới hạn thời gian tin cậy",
        tags=["signatures"],
        request=TrustRootUpdateSerializer,
        responses={200: TrustRootSerializer, 400: PROBLEM, 401: PROBLEM, 403: PROBLEM},
    )
    def patch(self, request: Request, root_id: int) -> Response:
        self._require_admin(request)
        root = get_object_or_404(TrustRoot, pk=root_id)
        body = TrustRootUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        assert isinstance(request.user, User)
        values = body.validated_data
        updated = services.trust_root_update(
            actor=request.user,
            root=root,
            enabled=values["enabled"],
            trusted_from=values.get("trusted_from", root.trusted_from),
            trusted_until=values.get("trusted_until", root.trusted_until),
            note=values.get("note"),
        )
        return Response(TrustRootSerializer(updated).data)


class KeyListView(APIView):
    @extend_schema(
        operation_id="signatures_keys_list",
        summary="Khóa ký số tôi được dùng",
        description=(
            "Khóa cá nhân của người gọi và khóa của cơ quan (con dấu) khi người gọi là văn thư "
            "hoặc cán bộ một cửa của cơ quan đó; chỉ khóa còn hiệu lực."
        ),
        tags=["signatures"],
        responses={200: SigningKeySerializer(many=True), 401: PROBLEM},
    )
    def get(self, request: Request) -> Response:
        keys = usable_keys(actor_for(request.user))
        return Response(SigningKeySerializer(keys, many=True).data)


class SignView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="signatures_sign",
        summary="Ký số một tệp PDF",
        description=(
            "Ký tệp PDF đã tải lên bằng khóa trên thiết bị (PIN, và mã OTP với tài khoản có "
            "xác thực hai lớp). Chữ ký là một bản cập nhật nối tiếp: tệp gốc giữ nguyên, tệp đã "
            "ký là tệp mới. Mặc định PAdES B-T (có dấu thời gian)."
        ),
        tags=["signatures"],
        request=SignRequestSerializer,
        responses={201: SignatureRecordSerializer, 400: PROBLEM, 401: PROBLEM, 404: PROBLEM},
    )
    def post(self, request: Request) -> Response:
        body = SignRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        actor = actor_for(request.user)
        stored = access_file(actor, values["file"])
        key = access_signing_key(actor, values["key"])
        assert isinstance(request.user, User)
        record = services.file_sign(
            actor=request.user,
            file=stored,
            key=key,
            pin=values["pin"],
            otp=values.get("otp", ""),
            purpose=values["purpose"],
            level=values.get("level"),
            appearance=values["appearance"],
            number_notation=values.get("number_notation", ""),
            reason=values.get("reason", ""),
        )
        return Response(SignatureRecordSerializer(record).data, status=status.HTTP_201_CREATED)


class FileReportView(APIView):
    @extend_schema(
        operation_id="signatures_file_report",
        summary="Kết quả kiểm tra chữ ký của một tệp đã lưu",
        description=(
            "Báo cáo kiểm tra gần nhất của tệp (kiểm tra ngay nếu chưa có). Cùng quyền như xem tệp."
        ),
        tags=["signatures"],
        responses={200: ValidationResultSerializer, 401: PROBLEM, 404: PROBLEM},
    )
    def get(self, request: Request, file_id: int) -> Response:
        stored = access_file(actor_for(request.user), file_id)
        report = selectors.latest_report(stored) or services.file_signatures_check(file=stored)
        return Response(report.report)
