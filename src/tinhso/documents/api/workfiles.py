"""/api/v1/documents/work-files/: the yearly list of work files (hồ sơ công việc), planning,
opening, filing documents, closing, submitting to the archive, and the package of a closed file.

Thin views: parse, `access_work_file` (404 for another agency's file), the service, the file
back. Errors are problem documents (`tinhso.api.problems`); a step the file's state does not
allow is 409 with the service's `code` (`workfile_not_open`, `workfile_empty`, …).

Included by the documents API under `documents/work-files/`; route names `work-file-*`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import FileResponse, Http404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tinhso.accounts.access import actor_for
from tinhso.accounts.models import User
from tinhso.api.pagination import PageNumberPagination
from tinhso.api.problems import Conflict
from tinhso.api.schema import PROBLEM
from tinhso.documents.errors import DocumentConflict
from tinhso.documents.kinds import TYPES_BY_CODE
from tinhso.documents.models import WorkFile, WorkFileStatus
from tinhso.documents.selectors_workfiles import (
    access_work_file,
    access_workfile_agency,
    can_export,
    overdue_work_files,
    work_file_contents,
    work_files,
)
from tinhso.documents.services.workfiles import (
    retention_label,
    workfile_add_document,
    workfile_close,
    workfile_mark_submitted,
    workfile_open,
    workfile_plan,
    workfile_remove_document,
)
from tinhso.documents.workfiles_export import package_filename, package_tempfile

TAGS = ["documents"]
ID_PARAMETER = OpenApiParameter(
    "pk", int, OpenApiParameter.PATH, description="Mã số (id) của hồ sơ công việc."
)


# --- Errors and permissions -----------------------------------------------------------------


class WorkFileConflict(Conflict):
    """A step the file's state does not allow (HTTP 409), with the service's reason code."""

    def __init__(self, refused: DocumentConflict) -> None:
        super().__init__(detail=refused.message, code=refused.code)
        self.default_code = refused.code


def api_error(exc: Exception) -> Exception:
    if isinstance(exc, DocumentConflict):
        return WorkFileConflict(exc)
    if isinstance(exc, Http404):
        # Keep the Vietnamese reason ("Không tìm thấy hồ sơ công việc.").
        return exceptions.NotFound(detail=str(exc) or None)
    return exc


class IsOfficial(BasePermission):
    message = gettext_lazy("Hồ sơ công việc dành cho cán bộ, công chức của cơ quan.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return actor_for(request.user).is_official


class _WorkFileView(APIView):
    permission_classes = [IsAuthenticated, IsOfficial]

    def handle_exception(self, exc: Exception) -> Response:
        return super().handle_exception(api_error(exc))

    def user(self) -> User:
        user = self.request.user
        assert isinstance(user, User)
        return user


# --- Serializers ----------------------------------------------------------------------------


class _RefSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    name = serializers.CharField()


class _AgencyRefSerializer(_RefSerializer):
    code = serializers.CharField()


class WorkFileSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A file of the yearly list (Phụ lục V columns, and its state)."""

    id = serializers.IntegerField()
    agency = serializers.SerializerMethodField()
    department = serializers.SerializerMethodField()
    year = serializers.IntegerField()
    code = serializers.CharField(help_text="Số và ký hiệu hồ sơ.")
    title = serializers.CharField(help_text="Tiêu đề hồ sơ.")
    retention_years = serializers.IntegerField(
        allow_null=True, help_text="Thời hạn bảo quản (năm); null là vĩnh viễn."
    )
    retention = serializers.SerializerMethodField()
    owner = serializers.SerializerMethodField()
    status = serializers.CharField(
        help_text="planned (trong danh mục) | open (đang mở) | closed (đã đóng) | submitted "
        "(đã nộp lưu)."
    )
    status_name = serializers.CharField(source="get_status_display")
    opened_on = serializers.DateField(allow_null=True)
    closed_on = serializers.DateField(allow_null=True)
    archive_due_on = serializers.DateField(
        allow_null=True, help_text="Hạn nộp lưu (hồ sơ bảo quản từ 05 năm hoặc vĩnh viễn)."
    )
    archive_overdue = serializers.SerializerMethodField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    document_count = serializers.SerializerMethodField()
    note = serializers.CharField()

    def get_agency(self, wf: WorkFile) -> dict[str, Any]:
        return {"id": wf.agency_id, "code": wf.agency.code, "name": wf.agency.name}

    def get_department(self, wf: WorkFile) -> dict[str, Any] | None:
        d = wf.department
        return {"id": d.pk, "name": d.name} if d is not None else None

    def get_owner(self, wf: WorkFile) -> dict[str, Any] | None:
        o = wf.owner
        return {"id": o.pk, "name": o.full_name or o.username} if o is not None else None

    def get_retention(self, wf: WorkFile) -> str:
        return retention_label(wf.retention_years)

    def get_archive_overdue(self, wf: WorkFile) -> bool:
        return (
            wf.status == WorkFileStatus.CLOSED
            and wf.archive_due_on is not None
            and wf.archive_due_on < timezone.localdate()
        )

    def get_document_count(self, wf: WorkFile) -> int:
        count = getattr(wf, "document_count", None)
        return int(count) if count is not None else wf.items.count()


class WorkFileDocumentSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField(source="document.id")
    reference = serializers.CharField(source="document.reference")
    issued_on = serializers.DateField(source="document.issued_on", allow_null=True)
    doc_type = serializers.CharField(source="document.doc_type")
    type_name = serializers.SerializerMethodField()
    subject = serializers.CharField(source="document.subject")
    issuer_name = serializers.CharField(source="document.issuer_name")
    added_at = serializers.DateTimeField()

    def get_type_name(self, item: Any) -> str:
        kind = TYPES_BY_CODE.get(item.document.doc_type)
        return kind.name if kind is not None else str(item.document.doc_type)


class WorkFileDetailSerializer(WorkFileSerializer):
    documents = WorkFileDocumentSerializer(many=True, help_text="Văn bản người gọi được xem.")
    hidden_documents = serializers.IntegerField(
        help_text="Số văn bản khác trong hồ sơ mà người gọi không được xem."
    )


class WorkFileCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    agency = serializers.IntegerField(
        required=False, help_text="Cơ quan; bỏ trống khi người gọi chỉ thuộc một cơ quan."
    )
    year = serializers.IntegerField(required=False, help_text="Năm của danh mục; mặc định năm nay.")
    code = serializers.CharField(max_length=50, help_text="Số và ký hiệu hồ sơ.")
    title = serializers.CharField(max_length=500)
    retention_years = serializers.IntegerField(
        allow_null=True, help_text="Thời hạn bảo quản 1–70 năm; null là vĩnh viễn."
    )
    department = serializers.IntegerField(required=False, allow_null=True)
    owner = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class WorkFileFilterSerializer(serializers.Serializer):  # type: ignore[type-arg]
    agency = serializers.IntegerField(required=False)
    year = serializers.IntegerField(required=False)
    status = serializers.ChoiceField(choices=WorkFileStatus.choices, required=False)
    archive_overdue = serializers.BooleanField(
        required=False,
        default=False,
        help_text="true: chỉ hồ sơ đã đóng, quá hạn nộp lưu mà chưa nộp.",
    )


class OpenSerializer(serializers.Serializer):  # type: ignore[type-arg]
    opened_on = serializers.DateField(required=False, allow_null=True)


class CloseSerializer(serializers.Serializer):  # type: ignore[type-arg]
    closed_on = serializers.DateField(required=False, allow_null=True)


class AddDocumentSerializer(serializers.Serializer):  # type: ignore[type-arg]
    document = serializers.IntegerField(help_text="Mã số (id) của văn bản.")


def _detail(request: Request, pk: int) -> dict[str, Any]:
    actor = actor_for(request.user)
    wf = access_work_file(actor, pk)
    contents = work_file_contents(actor, wf)
    wf.document_count = contents.total  # type: ignore[attr-defined]
    body = WorkFileSerializer(wf).data
    return {
        **body,
        "documents": WorkFileDocumentSerializer(contents.items, many=True).data,
        "hidden_documents": contents.hidden,
    }


# --- Views ----------------------------------------------------------------------------------


class WorkFileListView(_WorkFileView, generics.GenericAPIView[WorkFile]):
    serializer_class = WorkFileSerializer
    pagination_class = PageNumberPagination

    @extend_schema(
        operation_id="documents_work_files_list",
        summary="Danh mục hồ sơ công việc",
        description=(
            "Hồ sơ công việc của các cơ quan người gọi công tác, theo thứ tự số và ký hiệu. "
            "Lọc theo cơ quan, năm, trạng thái; archive_overdue=true: hồ sơ đã đóng, quá hạn "
            "nộp lưu (01 năm sau ngày đóng với hồ sơ bảo quản từ 05 năm) mà chưa nộp."
        ),
        parameters=[WorkFileFilterSerializer],
        responses={200: WorkFileSerializer(many=True), 400: PROBLEM, 401: PROBLEM, 403: PROBLEM},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        filters = WorkFileFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        actor = actor_for(request.user)
        if data["archive_overdue"]:
            rows = overdue_work_files(actor, timezone.localdate(), agency_id=data.get("agency"))
        else:
            rows = work_files(
                actor,
                agency_id=data.get("agency"),
                year=data.get("year"),
                status=data.get("status"),
            )
        page = self.paginate_queryset(rows)
        assert page is not None
        return self.get_paginated_response(WorkFileSerializer(page, many=True).data)

    @extend_schema(
        operation_id="documents_work_files_create",
        summary="Lập hồ sơ trong danh mục",
        description=(
            "Đưa một hồ sơ vào danh mục hồ sơ của năm (Nghị định 30/2020, Điều 28–29): số và "
            "ký hiệu (không trùng trong danh mục năm của cơ quan), tiêu đề, thời hạn bảo quản "
            "(1–70 năm, null là vĩnh viễn), đơn vị và người lập. Hồ sơ ở trạng thái planned "
            "cho đến khi được mở."
        ),
        request=WorkFileCreateSerializer,
        responses={201: WorkFileDetailSerializer, 400: PROBLEM, 401: PROBLEM, 403: PROBLEM},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        given = WorkFileCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        actor = actor_for(request.user)
        agency_id = data.get("agency")
        if agency_id is None:
            agency_id = access_workfile_agency(actor, None).pk
        wf = workfile_plan(
            actor=self.user(),
            agency_id=agency_id,
            year=data.get("year") or timezone.localdate().year,
            code=data["code"],
            title=data["title"],
            retention_years=data["retention_years"],
            department_id=data.get("department"),
            owner_id=data.get("owner"),
            note=data.get("note", ""),
        )
        return Response(_detail(request, wf.pk), status=status.HTTP_201_CREATED)


class WorkFileDetailView(_WorkFileView):
    @extend_schema(
        operation_id="documents_work_files_detail",
        summary="Một hồ sơ công việc",
        description="Hồ sơ và các văn bản trong hồ sơ mà người gọi được xem.",
        parameters=[ID_PARAMETER],
        responses={200: WorkFileDetailSerializer, 401: PROBLEM, 403: PROBLEM, 404: PROBLEM},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_detail(request, pk))


class WorkFileOpenView(_WorkFileView):
    @extend_schema(
        operation_id="documents_work_files_open",
        summary="Mở hồ sơ",
        description=(
            "Mở hồ sơ trong danh mục (planned → open), ngày mở mặc định hôm nay; người mở là "
            "người lập hồ sơ nếu hồ sơ chưa có. Hồ sơ không ở trạng thái planned: 409."
        ),
        parameters=[ID_PARAMETER],
        request=OpenSerializer,
        responses={
            200: WorkFileDetailSerializer,
            400: PROBLEM,
            403: PROBLEM,
            404: PROBLEM,
            409: PROBLEM,
        },
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        wf = access_work_file(actor_for(request.user), pk)
        given = OpenSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        workfile_open(
            actor=self.user(), work_file=wf, opened_on=given.validated_data.get("opened_on")
        )
        return Response(_detail(request, pk))


class WorkFileCloseView(_WorkFileView):
    @extend_schema(
        operation_id="documents_work_files_close",
        summary="Đóng hồ sơ",
        description=(
            "Đóng hồ sơ đang mở khi công việc kết thúc (Điều 30); ngày đóng mặc định hôm nay. "
            "Hồ sơ bảo quản từ 05 năm hoặc vĩnh viễn có hạn nộp lưu 01 năm sau ngày đóng. "
            "Người lập hồ sơ, văn thư hoặc lãnh đạo cơ quan. Hồ sơ chưa có văn bản hoặc không "
            "đang mở: 409."
        ),
        parameters=[ID_PARAMETER],
        request=CloseSerializer,
        responses={
            200: WorkFileDetailSerializer,
            400: PROBLEM,
            403: PROBLEM,
            404: PROBLEM,
            409: PROBLEM,
        },
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        wf = access_work_file(actor_for(request.user), pk)
        given = CloseSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        workfile_close(
            actor=self.user(), work_file=wf, closed_on=given.validated_data.get("closed_on")
        )
        return Response(_detail(request, pk))


class WorkFileSubmitView(_WorkFileView):
    @extend_schema(
        operation_id="documents_work_files_submit",
        summary="Ghi nhận nộp lưu",
        description=(
            "Hồ sơ đã đóng được nộp vào lưu trữ cơ quan (closed → submitted). Văn thư hoặc lãnh "
            "đạo cơ quan; hồ sơ bảo quản dưới 05 năm hoặc chưa đóng: 409."
        ),
        parameters=[ID_PARAMETER],
        request=None,
        responses={200: WorkFileDetailSerializer, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        wf = access_work_file(actor_for(request.user), pk)
        workfile_mark_submitted(actor=self.user(), work_file=wf)
        return Response(_detail(request, pk))


class WorkFileDocumentsView(_WorkFileView):
    @extend_schema(
        operation_id="documents_work_files_add_document",
        summary="Thêm văn bản vào hồ sơ",
        description=(
            "Thêm một văn bản của cơ quan mà người gọi được xem vào hồ sơ đang mở. Văn bản "
            "không tìm thấy, là dự thảo chưa phát hành hoặc đã có trong hồ sơ: 400; hồ sơ không "
            "đang mở: 409."
        ),
        parameters=[ID_PARAMETER],
        request=AddDocumentSerializer,
        responses={
            201: WorkFileDetailSerializer,
            400: PROBLEM,
            403: PROBLEM,
            404: PROBLEM,
            409: PROBLEM,
        },
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        wf = access_work_file(actor_for(request.user), pk)
        given = AddDocumentSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        workfile_add_document(
            actor=self.user(), work_file=wf, document_id=given.validated_data["document"]
        )
        return Response(_detail(request, pk), status=status.HTTP_201_CREATED)


class WorkFileDocumentView(_WorkFileView):
    @extend_schema(
        operation_id="documents_work_files_remove_document",
        summary="Bỏ văn bản khỏi hồ sơ",
        description="Chỉ khi hồ sơ đang mở (409 nếu không); văn bản không có trong hồ sơ: 400.",
        parameters=[
            ID_PARAMETER,
            OpenApiParameter(
                "document_id", int, OpenApiParameter.PATH, description="Mã số văn bản."
            ),
        ],
        responses={
            200: WorkFileDetailSerializer,
            400: PROBLEM,
            403: PROBLEM,
            404: PROBLEM,
            409: PROBLEM,
        },
        tags=TAGS,
    )
    def delete(self, request: Request, pk: int, document_id: int) -> Response:
        wf = access_work_file(actor_for(request.user), pk)
        workfile_remove_document(actor=self.user(), work_file=wf, document_id=document_id)
        return Response(_detail(request, pk))


class _AnyAccept(BaseContentNegotiation):
    """The package answers whatever the Accept header says (`application/zip`, `*/*`);
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


class WorkFileExportView(_WorkFileView):
    content_negotiation_class = _AnyAccept

    @extend_schema(
        operation_id="documents_work_files_export",
        summary="Tải gói hồ sơ đã đóng (ZIP)",
        description=(
            "Gói nộp lưu của hồ sơ đã đóng: các tệp gốc của từng văn bản (van_ban/…), "
            "metadata.json (thông tin hồ sơ, các trường Phụ lục VI của từng văn bản, tên, "
            "sha256, dung lượng, định dạng của từng tệp) và muc_luc.csv (UTF-8 có BOM). Người "
            "lập hồ sơ, văn thư hoặc lãnh đạo cơ quan; hồ sơ chưa đóng: 409."
        ),
        parameters=[ID_PARAMETER],
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="ZIP."),
            401: PROBLEM,
            403: PROBLEM,
            404: PROBLEM,
            409: PROBLEM,
        },
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        actor = actor_for(request.user)
        wf = access_work_file(actor, pk)
        if not can_export(actor, wf):
            raise exceptions.PermissionDenied(
                gettext_lazy("Chỉ người lập hồ sơ, văn thư hoặc lãnh đạo cơ quan tải gói hồ sơ.")
            )
        spool = package_tempfile(wf)
        response = FileResponse(
            spool, content_type="application/zip", as_attachment=True, filename=package_filename(wf)
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


urlpatterns = [
    path("", WorkFileListView.as_view(), name="work-file-list"),
    path("<int:pk>/", WorkFileDetailView.as_view(), name="work-file-detail"),
    path("<int:pk>/open/", WorkFileOpenView.as_view(), name="work-file-open"),
    path("<int:pk>/close/", WorkFileCloseView.as_view(), name="work-file-close"),
    path("<int:pk>/submit/", WorkFileSubmitView.as_view(), name="work-file-submit"),
    path("<int:pk>/documents/", WorkFileDocumentsView.as_view(), name="work-file-add-document"),
    path(
        "<int:pk>/documents/<int:document_id>/",
        WorkFileDocumentView.as_view(),
        name="work-file-remove-document",
    ),
    path("<int:pk>/export.zip", WorkFileExportView.as_view(), name="work-file-export"),
]
