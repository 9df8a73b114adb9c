"""/api/v1/files/: upload a file, read its description, download it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tinhso.accounts.access import actor_for
from tinhso.accounts.models import User
from tinhso.api.schema import PROBLEM
from tinhso.files.access import access_file, may_upload
from tinhso.files.api.serializers import FileUploadSerializer, StoredFileSerializer
from tinhso.files.api.uploads import PayloadTooLarge, UploadLimitHandler
from tinhso.files.downloads import file_response
from tinhso.files.limits import human_size, max_upload_bytes
from tinhso.files.services import file_store


class MayUpload(BasePermission):
    """Checked before the body is parsed: refused accounts never stream a file in."""

    message = gettext_lazy("Tài khoản của bạn không được tải tệp lên.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return may_upload(actor_for(request.user))


class FileUploadView(APIView):
    parser_classes = [MultiPartParser]
    permission_classes = [IsAuthenticated, MayUpload]

    def initialize_request(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Request:
        # Before anything parses the body (the session's CSRF check reads it too).
        self.upload_limit = UploadLimitHandler(request, max_upload_bytes())
        request.upload_handlers.insert(0, self.upload_limit)
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(
        operation_id="files_upload",
        summary="Tải tệp lên",
        description=(
            "Nhận một tệp (multipart/form-data, trường `file`). Định dạng được xác định theo "
            "nội dung tệp, không theo tên: PDF, PNG, JPEG, TIFF, DOCX, XLSX, ODT; tệp có phần "
            "mở rộng mâu thuẫn với nội dung bị từ chối. Dung lượng tối đa theo cấu hình "
            "`TINHSO_UPLOAD_MAX_BYTES` (mặc định 20 MB). Cán bộ, công chức có vị trí công tác, "
            "công dân và doanh nghiệp được tải lên."
        ),
        tags=["files"],
        request={"multipart/form-data": FileUploadSerializer},
        responses={
            201: StoredFileSerializer,
            400: OpenApiResponse(PROBLEM.response, description="Tệp không hợp lệ (errors.file)."),
            401: PROBLEM,
            403: PROBLEM,
            413: OpenApiResponse(PROBLEM.response, description="Tệp vượt quá dung lượng tối đa."),
            415: PROBLEM,
        },
    )
    def post(self, request: Request) -> Response:
        uploads = request.FILES.getlist("file")
        if self.upload_limit.exceeded:
            raise PayloadTooLarge(
                _("Tệp tải lên vượt quá dung lượng tối đa %(limit)s.")
                % {"limit": human_size(max_upload_bytes())}
            )
        if not uploads:
            raise exceptions.ValidationError(
                {"file": [_("Chưa có tệp: gửi tệp trong trường “file” (multipart/form-data).")]}
            )
        if len(uploads) > 1:
            raise exceptions.ValidationError({"file": [_("Mỗi lần chỉ tải lên một tệp.")]})
        assert isinstance(request.user, User)
        stored = file_store(actor=request.user, upload=uploads[0])
        return Response(StoredFileSerializer(stored).data, status=status.HTTP_201_CREATED)


class FileDetailView(APIView):
    @extend_schema(
        operation_id="files_retrieve",
        summary="Thông tin tệp",
        description=(
            "Tên, dung lượng, định dạng và mã băm của một tệp. Người tải lên, cán bộ của cơ "
            "quan sở hữu tệp, quản trị cấp tỉnh và người được hồ sơ liên quan cho phép được "
            "xem; người khác nhận 404."
        ),
        tags=["files"],
        responses={200: StoredFileSerializer, 401: PROBLEM, 404: PROBLEM},
    )
    def get(self, request: Request, file_id: int) -> Response:
        stored = access_file(actor_for(request.user), file_id)
        return Response(StoredFileSerializer(stored).data)


class _AnyAccept(BaseContentNegotiation):
    """A download answers whatever the client's Accept says (`application/pdf`, `*/*`…);
    errors are still problem documents."""

    def select_parser(self, request: Request, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(
        self,
        request: Request,
        renderers: Iterable[BaseRenderer],
        format_suffix: str | None = None,
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, str(renderer.media_type)


class FileContentView(APIView):
    content_negotiation_class = _AnyAccept

    @extend_schema(
        operation_id="files_content",
        summary="Tải tệp về",
        description=(
            "Nội dung tệp nguyên bản, dạng tệp đính kèm (Content-Disposition: attachment với "
            "tên tệp UTF-8 theo RFC 5987), kèm X-Content-Type-Options: nosniff. Cùng quyền "
            "như xem thông tin tệp."
        ),
        tags=["files"],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="Nội dung tệp, với Content-Type đã xác định."
            ),
            401: PROBLEM,
            404: PROBLEM,
        },
    )
    def get(self, request: Request, file_id: int) -> FileResponse:
        return file_response(access_file(actor_for(request.user), file_id))
