"""/api/v1/documents/: the e-office API — incoming documents (register, accept, refuse,
present, assign, process), outgoing documents (draft, versions, comments, submit, approve,
return, issue, recall) and search.

Thin views: parse the input, `access_document` (404 when the document is hidden, as if it did
not exist), the service, the document back as its detail shows it. Errors are problem
documents (`tinhso.api.problems`); this module adds the documents' own: `DocumentConflict` →
409 with its `code`, `LikelyDuplicate` → 409 with the ids of the documents it may repeat,
and the services' field names turned into the request's (`issued_on` is `date` here).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from tinhso.accounts.access import Actor, actor_for
from tinhso.accounts.models import User
from tinhso.api.pagination import CappedCountPagination
from tinhso.api.problems import PROBLEM_CONTENT_TYPE, Conflict, problem_body
from tinhso.api.schema import PROBLEM
from tinhso.documents import services
from tinhso.documents.access import access_document, visible_documents
from tinhso.documents.api import serializers as s
from tinhso.documents.errors import DocumentConflict, LikelyDuplicate
from tinhso.documents.models import Assignment, Direction, Document
from tinhso.documents.search import search_documents
from tinhso.documents.selectors import OPEN_ASSIGNMENT, document_detail, document_list

TAGS = ["documents"]

ID_PARAMETER = OpenApiParameter(
    "document_id", int, OpenApiParameter.PATH, description="Mã số (id) của văn bản."
)


# --- Errors -----------------------------------------------------------------------------------


class DocumentStateConflict(Conflict):
    """An action the document's state does not allow (HTTP 409), with the service's code."""

    def __init__(self, refused: DocumentConflict) -> None:
        super().__init__(detail=refused.message, code=refused.code)
        # The problem handler names the reason by `default_code`.
        self.default_code = refused.code


def api_error(
    exc: Exception, field_names: Mapping[str, str] | None = None, non_field: str = ""
) -> Exception:
    """The documents services' exceptions as the API's; others unchanged.

    `field_names` renames the services' fields to the request's; `non_field` is the request
    field a message without one belongs to (a DOCX refused by the zip-bomb check is the
    `file`'s fault).
    """
    if isinstance(exc, DocumentConflict):
        if exc.code == "not_found":
            return exceptions.NotFound(detail=exc.message)
        return DocumentStateConflict(exc)
    if isinstance(exc, DjangoValidationError):
        names = field_names or {}
        if hasattr(exc, "error_dict"):
            return exceptions.ValidationError(
                detail={names.get(k, k): v for k, v in exc.message_dict.items()}
            )
        return exceptions.ValidationError(detail={non_field or "non_field_errors": exc.messages})
    if isinstance(exc, Http404):
        # Keep the Vietnamese reason ("Không tìm thấy văn bản.").
        return exceptions.NotFound(detail=str(exc) or None)
    return exc


def duplicate_response(exc: LikelyDuplicate) -> Response:
    """409 with the ids of the documents the registration may repeat."""
    detail = "{} {}".format(
        exc.message,
        _('Nếu đúng là văn bản khác, gửi lại yêu cầu với "confirm_duplicate": true.'),
    )
    body = problem_body(409, detail, code="likely_duplicate")
    body["duplicates"] = list(exc.duplicate_ids)
    return Response(body, status=409, content_type=PROBLEM_CONTENT_TYPE)


class IsOfficial(BasePermission):
    """The e-office is the officials': citizens and enterprises get 403."""

    message = gettext_lazy("Văn bản điện tử dành cho cán bộ, công chức có vị trí công tác.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return actor_for(request.user).is_official


class _DocumentView(APIView):
    permission_classes = [IsAuthenticated, IsOfficial]
    parser_classes = [JSONParser]
    #: The direction of the documents the view works on.
    direction: ClassVar[str] = Direction.INCOMING
    #: The services' field names → the request's.
    field_names: ClassVar[dict[str, str]] = {}
    #: The request field a message without a field belongs to.
    non_field: ClassVar[str] = ""

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, LikelyDuplicate):
            return duplicate_response(exc)
        return super().handle_exception(api_error(exc, self.field_names, self.non_field))

    @property
    def actor(self) -> Actor:
        return actor_for(self.request.user)

    @property
    def user(self) -> User:
        return cast(User, self.request.user)

    def documents(self) -> QuerySet[Document]:
        return Document.objects.filter(direction=self.direction)

    def access(self, document_id: int) -> Document:
        """The document of the view's direction if the caller sees it, else 404."""
        return access_document(self.actor, document_id, self.documents())

    def detail(self, document_id: int, *, created: bool = False) -> Response:
        """The document as its detail shows it (read again with everything prefetched); 404
        for a hidden one, or one of the other direction."""
        d = document_detail(self.actor, document_id)
        if d.direction != self.direction:
            raise Http404(_("Không tìm thấy văn bản."))
        if d.direction == Direction.INCOMING:
            body = s.IncomingDetailSerializer(d).data
            route = "documents-incoming-detail"
        else:
            body = s.OutgoingDetailSerializer(d).data
            route = "documents-outgoing-detail"
        if not created:
            return Response(body)
        return Response(
            body, status=status.HTTP_201_CREATED, headers={"Location": reverse(route, args=[d.pk])}
        )

    def registered(self, d: Document) -> Response:
        """201 for a document the caller has just registered: its row (id, number, notation,
        incoming number, status …) from the service's own object, no query; the full detail
        is at `Location`. Registration is the clerks' busiest call."""
        return Response(
            _INCOMING_ROW.to_representation(d),
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("documents-incoming-detail", args=[d.pk])},
        )

    def parse(self, serializer: type[serializers.Serializer]) -> serializers.Serializer:  # type: ignore[type-arg]
        body = serializer(data=self.request.data)
        body.is_valid(raise_exception=True)
        return body


#: The row of a registered document, by one serializer per process: DRF copies a serializer's
#: declared fields for every new instance (a third of a millisecond here); representing an
#: object reads the bound fields and changes nothing in them.
_INCOMING_ROW = s.IncomingRowSerializer()


class _OutgoingView(_DocumentView):
    direction = Direction.OUTGOING


class DocumentPagination(CappedCountPagination):
    """Fifty rows a page; counts stop at 10,000 (nobody pages that far: they filter)."""


ERRORS = {401: PROBLEM, 403: PROBLEM, 404: PROBLEM}
ACTION_ERRORS = {
    400: PROBLEM,
    **ERRORS,
    409: OpenApiResponse(
        PROBLEM.response, description="Trạng thái văn bản không cho phép thao tác (code nêu lý do)."
    ),
}


# --- Incoming ---------------------------------------------------------------------------------


class IncomingListView(_DocumentView, generics.GenericAPIView[Document]):
    serializer_class = s.IncomingRowSerializer
    pagination_class = DocumentPagination
    field_names = {"issued_on": "date"}

    @extend_schema(
        operation_id="documents_incoming_list",
        summary="Danh sách văn bản đến",
        description=(
            "Văn bản đến người gọi được xem, mới nhất trước, phân trang: văn thư thấy mọi văn "
            "bản đến của cơ quan; lãnh đạo cơ quan thấy văn bản của cơ quan; cán bộ thấy văn "
            "bản được giao và văn bản của phòng mình. Lọc theo trạng thái, loại, độ khẩn, "
            "khoảng ngày văn bản và từ khóa."
        ),
        parameters=[s.DocumentFilterSerializer],
        responses={200: s.IncomingRowSerializer(many=True), 400: PROBLEM, **ERRORS},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        filters = s.DocumentFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = document_list(self.actor, filters.to_filter(Direction.INCOMING))
        page = self.paginate_queryset(rows)
        assert page is not None  # the API always paginates
        return self.get_paginated_response(s.IncomingRowSerializer(page, many=True).data)

    @extend_schema(
        operation_id="documents_incoming_register",
        summary="Vào sổ văn bản đến",
        description=(
            "Văn thư vào sổ văn bản đến nhận bằng giấy (đã quét) hoặc điện tử (Nghị định "
            "30/2020, Điều 22): cấp số đến tiếp theo của sổ trong năm. Văn bản có vẻ đã được "
            "vào sổ (cùng nơi ban hành, số, ký hiệu, ngày): 409 với `duplicates` (id các văn "
            "bản trùng), gửi lại với `confirm_duplicate: true` để vẫn vào sổ. Văn bản có độ "
            "mật: 400 (errors.secrecy)."
        ),
        request=s.IncomingRegisterSerializer,
        responses={
            201: OpenApiResponse(
                s.IncomingRowSerializer,
                description="Văn bản đã vào sổ (chi tiết đầy đủ tại địa chỉ trong Location).",
            ),
            400: PROBLEM,
            401: PROBLEM,
            403: PROBLEM,
            409: OpenApiResponse(
                PROBLEM.response,
                description=(
                    "Có thể trùng văn bản đã vào sổ (code likely_duplicate, duplicates: [id])."
                ),
            ),
        },
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        # Most bodies are well-formed: read without DRF's per-request field copies; the
        # serializer judges (and words the errors of) the others.
        read = s.incoming_register_input(request.data)
        if read is None:
            body = cast(s.IncomingRegisterSerializer, self.parse(s.IncomingRegisterSerializer))
            read = body.to_input(), body.validated_data["confirm_duplicate"]
        data, confirm_duplicate = read
        d = services.incoming_register(
            actor=self.user, data=data, confirm_duplicate=confirm_duplicate
        )
        return self.registered(d)


class IncomingDetailView(_DocumentView):
    @extend_schema(
        operation_id="documents_incoming_retrieve",
        summary="Chi tiết văn bản đến",
        description=(
            "Văn bản đến với tệp, phân công xử lý và lịch sử (kèm mã trạng thái liên thông). "
            "Văn bản người gọi không được xem: 404."
        ),
        parameters=[ID_PARAMETER],
        responses={200: s.IncomingDetailSerializer, **ERRORS},
        tags=TAGS,
    )
    def get(self, request: Request, document_id: int) -> Response:
        return self.detail(document_id)


class IncomingAcceptView(_DocumentView):
    @extend_schema(
        operation_id="documents_incoming_accept",
        summary="Tiếp nhận văn bản điện tử",
        description=(
            "Văn thư vào sổ văn bản điện tử đã đến hàng chờ (trạng thái received), cùng dãy số "
            "đến với văn bản giấy (Điều 22.1); báo nơi gửi trạng thái 03 đã tiếp nhận."
        ),
        parameters=[ID_PARAMETER],
        request=s.IncomingAcceptSerializer,
        responses={200: s.IncomingDetailSerializer, **ACTION_ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, document_id: int) -> Response:
        self.access(document_id)
        body = self.parse(s.IncomingAcceptSerializer).validated_data
        services.incoming_accept(
            actor=self.user,
            document_id=document_id,
            register_id=body["register"],
            due_on=body["due_on"],
        )
        return self.detail(document_id)


class IncomingRefuseView(_DocumentView):
    @extend_schema(
        operation_id="documents_incoming_refuse",
        summary="Trả lại văn bản điện tử",
        description=(
            "Văn thư trả lại văn bản điện tử gửi sai nơi hoặc không hợp lệ (Điều 21.2b), với lý "
            "do; báo nơi gửi trạng thái 02 từ chối."
        ),
        parameters=[ID_PARAMETER],
        request=s.DocumentReasonSerializer,
        responses={200: s.IncomingDetailSerializer, **ACTION_ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, document_id: int) -> Response:
        self.access(document_id)
        body = self.parse(s.DocumentReasonSerializer).validated_data
        services.incoming_refuse(actor=self.user, document_id=document_id, reason=body["reason"])
        return self.detail(document_id)


class IncomingPresentView(_DocumentView):
    @extend_schema(
        operation_id="documents_incoming_present",
        summary="Trình văn bản đến",
        description="Văn thư trình văn bản đã vào sổ cho lãnh đạo cơ quan (Điều 23.1).",
        parameters=[ID_PARAMETER],
        request=s.IncomingPresentSerializer,
        responses={200: s.IncomingDetailSerializer, **ACTION_ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, document_id: int) -> Response:
        self.access(document_id)
        body = self.parse(s.IncomingPresentSerializer).validated_data
        services.incoming_present(
            actor=self.user, document_id=document_id, leader_id=body["leader"], note=body["note"]
        )
        return self.detail(document_id)


class IncomingAssignView(_DocumentView):
    @extend_schema(
        operation_id="documents_incoming_assign",
        summary="Phân công xử lý văn bản đến",
        description=(
            "Lãnh đạo phân công người xử lý chính, người phối hợp, người nhận để biết, với ý "
            "kiến chỉ đạo và hạn xử lý (Điều 23.2–23.4); phân công lại thay các phân công còn "
            "mở của lần trước."
        ),
        parameters=[ID_PARAMETER],
        request=s.IncomingAssignSerializer,
        responses={200: s.IncomingDetailSerializer, **ACTION_ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, document_id: int) -> Response:
        self.access(document_id)
        body = cast(s.IncomingAssignSerializer, self.parse(s.IncomingAssignSerializer))
        services.incoming_assign(actor=self.user, document_id=document_id, data=body.to_input())
        return self.detail(document_id)


def caller_assignment(actor: Actor, d: Document) -> Assignment:
    """The caller's open assignment of the document: the main one first, then the latest.

    403 when the document was never given to the caller to process; 409 when it was but the
    caller's part is over, or it was only presented to them (they assign it instead).
    """
    mine = list(
        Assignment.objects.filter(document=d, assignee_id=actor.user_id).order_by(
            "-assigned_at", "-id"
        )
    )
    work = [a for a in mine if not a.is_presentation]
    open_ = [a for a in work if a.status in OPEN_ASSIGNMENT]
    if open_:
        return min(open_, key=lambda a: a.role != "main")
    if work:
        raise DocumentConflict(_("Phần việc của bạn với văn bản này đã kết thúc."))
    if any(a.status in OPEN_ASSIGNMENT for a in mine):
        raise DocumentConflict(
            _("Văn bản được trình cho bạn: hãy phân công xử lý (POST …/assign/)."),
            code="presented",
        )
    raise exceptions.PermissionDenied(_("Văn bản này không được giao cho bạn xử lý."))


class IncomingProcessView(_DocumentView):
    @extend_schema(
        operation_id="documents_incoming_process",
        summary="Xử lý văn bản được giao",
        description=(
            "Người được giao bắt đầu xử lý (start, 05), hoàn thành (complete, 06 khi là người "
            "xử lý chính) với kết quả hoặc văn bản trả lời, hoặc chuyển tiếp cho cán bộ cùng "
            "phòng (pass_on). Tác động lên phân công còn mở của người gọi; văn bản không được "
            "giao cho người gọi: 403; phần việc đã kết thúc: 409."
        ),
        parameters=[ID_PARAMETER],
        request=s.IncomingProcessSerializer,
        responses={200: s.IncomingDetailSerializer, **ACTION_ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, document_id: int) -> Response:
        d = self.access(document_id)
        body = self.parse(s.IncomingProcessSerializer).validated_data
        a = caller_assignment(self.actor, d)
        if body["action"] == "start":
            services.assignment_start(actor=self.user, assignment_id=a.pk)
        elif body["action"] == "complete":
            services.assignment_complete(
                actor=self.user,
                assignment_id=a.pk,
                result_note=body["result_note"],
                reply_document_id=body["reply_document"],
            )
        else:
            services.assignment_pass_on(
                actor=self.user,
                assignment_id=a.pk,
                to_id=body["to"],
                direction=body["direction"],
                due_on=body["due_on"],
            )
        return self.detail(document_id)


# --- Outgoing ---------------------------------------------------------------------------------


class OutgoingListView(_OutgoingView, generics.GenericAPIView[Document]):
    serializer_class = s.OutgoingRowSerializer
    pagination_class = DocumentPagination
    non_field = "files"

    @extend_schema(
        operation_id="documents_outgoing_list",
        summary="Danh sách văn bản đi",
        description=(
            "Văn bản đi người gọi được xem, mới nhất trước, phân trang: dự thảo của mình và "
            "của phòng; văn bản chờ mình duyệt hoặc ký; văn thư thấy văn bản đã duyệt, đã phát "
            "hành; lãnh đạo cơ quan thấy văn bản đã trình. Không ai thấy dự thảo của cơ quan "
            "khác."
        ),
        parameters=[s.DocumentFilterSerializer],
        responses={200: s.OutgoingRowSerializer(many=True), 400: PROBLEM, **ERRORS},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        filters = s.DocumentFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = document_list(self.actor, filters.to_filter(Direction.OUTGOING))
        page = self.paginate_queryset(rows)
        assert page is not None  # the API always paginates
        return self.get_paginated_response(s.OutgoingRowSerializer(page, many=True).data)

    @extend_schema(
        operation_id="documents_outgoing_draft",
        summary="Soạn dự thảo văn bản đi",
        description=(
            "Cán bộ soạn dự thảo (Điều 10): loại, trích yếu, nơi nhận, người ký, tệp dự thảo "
            "DOCX hoặc PDF (phiên bản 1). Tệp DOCX hỏng hoặc là tệp nén độc hại: 400 "
            "(errors.files)."
        ),
        request=s.OutgoingDraftSerializer,
        responses={
            201: OpenApiResponse(s.OutgoingDetailSerializer, description="Dự thảo mới."),
            400: PROBLEM,
            401: PROBLEM,
            403: PROBLEM,
        },
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        body = cast(s.OutgoingDraftSerializer, self.parse(s.OutgoingDraftSerializer))
        data = body.to_input()
        if data.reply_to is not None and not (
            visible_documents(self.actor).filter(pk=data.reply_to).exists()
        ):
            raise exceptions.ValidationError(
                {"reply_to": [_("Không tìm thấy văn bản được trả lời.")]}
            )
        d = services.outgoing_draft(actor=self.user, data=data)
        return self.detail(d.pk, created=True)


class OutgoingDetailView(_OutgoingView):
    @extend_schema(
        operation_id="documents_outgoing_retrieve",
        summary="Chi tiết văn bản đi",
        description=(
            "Văn bản đi với nơi nhận và trạng thái của từng nơi, các bước duyệt, phiên bản dự "
            "thảo, góp ý, tệp và lịch sử. Văn bản người gọi không được xem: 404."
        ),
        parameters=[ID_PARAMETER],
        responses={200: s.OutgoingDetailSerializer, **ERRORS},
        tags=TAGS,
    )
    def get(self, request: Request, document_id: int) -> Response:
        return self.detail(document_id)


class OutgoingSubmitView(_OutgoingView):
    @extend_schema(
        operation_id="documents_outgoing_submit",
        summary="Trình dự thảo",
        description=(
            "Người soạn (hoặc phòng soạn thảo) trình dự thảo theo trình tự duyệt của cơ quan: "
            "mặc định trưởng phòng rồi người ký; một lần trình mới sau khi bị trả lại."
        ),
        parameters=[ID_PARAMETER],
        request=None,
        responses={200: s.OutgoingDetailSerializer, **ACTION_ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, document_id: int) -> Response:
        self.access(document_id)
        services.outgoing_submit(actor=self.user, document_id=document_id)
        return self.detail(document_id)


class OutgoingApproveView(_OutgoingView):
    @extend_schema(
        operation_id="documents_outgoing_approve",
        summary="Duyệt dự thảo",
        description=(
            "Người duyệt đến lượt đồng ý; sau bước cuối văn bản chờ văn thư phát hành. Chưa đến "
            "lượt người gọi: 403."
        ),
        parameters=[ID_PARAMETER],
        request=s.DocumentCommentFieldSerializer,
        responses={200: s.OutgoingDetailSerializer, **ACTION_ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, document_id: int) -> Response:
        self.access(document_id)
        body = self.parse(s.DocumentCommentFieldSerializer).validated_data
        services.outgoing_approve(actor=self.user, document_id=document_id, comment=body["comment"])
        return self.detail(document_id)


class OutgoingReturnView(_OutgoingView):
    @extend_schema(
        operation_id="documents_outgoing_return",
        summary="Trả lại dự thảo",
        description="Người duyệt đến lượt trả lại dự thảo với ý kiến (bắt buộc).",
        parameters=[ID_PARAMETER],
        request=s.DocumentCommentFieldSerializer,
        responses={200: s.OutgoingDetailSerializer, **ACTION_ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, document_id: int) -> Response:
        self.access(document_id)
        body = self.parse(s.DocumentCommentFieldSerializer).validated_data
        services.outgoing_return(actor=self.user, document_id=document_id, comment=body["comment"])
        return self.detail(document_id)


class OutgoingIssueView(_OutgoingView):
    @extend_schema(
        operation_id="documents_outgoing_issue",
        summary="Phát hành văn bản đi",
        description=(
            "Văn thư phát hành văn bản đã duyệt: cấp số tiếp theo của sổ văn bản đi trong năm "
            "(01, 02, …; Điều 15), ký hiệu, bản PDF phát hành, rồi gửi: nơi nhận trong hệ "
            "thống nhận ngay vào hàng chờ văn thư, nơi nhận ngoài hệ thống qua liên thông."
        ),
        parameters=[ID_PARAMETER],
        request=s.OutgoingIssueSerializer,
        responses={200: s.OutgoingDetailSerializer, **ACTION_ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, document_id: int) -> Response:
        self.access(document_id)
        body = self.parse(s.OutgoingIssueSerializer).validated_data
        services.outgoing_issue(actor=self.user, document_id=document_id, file_id=body["file"])
        return self.detail(document_id)


class OutgoingRecallView(_OutgoingView):
    @extend_schema(
        operation_id="documents_outgoing_recall",
        summary="Thu hồi văn bản đã phát hành",
        description=(
            "Văn thư hoặc lãnh đạo cơ quan thu hồi văn bản đã phát hành, với lý do (Điều "
            "18.4): bản nhận trong hệ thống bị hủy, nơi nhận ngoài hệ thống nhận gói thu hồi."
        ),
        parameters=[ID_PARAMETER],
        request=s.DocumentReasonSerializer,
        responses={200: s.OutgoingDetailSerializer, **ACTION_ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, document_id: int) -> Response:
        self.access(document_id)
        body = self.parse(s.DocumentReasonSerializer).validated_data
        services.outgoing_recall(actor=self.user, document_id=document_id, reason=body["reason"])
        return self.detail(document_id)


class OutgoingVersionsView(_OutgoingView):
    non_field = "file"

    @extend_schema(
        operation_id="documents_outgoing_add_version",
        summary="Thêm phiên bản dự thảo",
        description=(
            "Người soạn, phòng soạn thảo, hoặc người duyệt đến lượt thêm phiên bản mới (DOCX "
            "hoặc PDF); `convert: true` chuyển DOCX sang PDF khi máy chủ có LibreOffice. Tệp "
            "DOCX hỏng hoặc là tệp nén độc hại: 400 (errors.file)."
        ),
        parameters=[ID_PARAMETER],
        request=s.OutgoingVersionSerializer,
        responses={201: s.DocumentDraftVersionSerializer, **ACTION_ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, document_id: int) -> Response:
        self.access(document_id)
        body = self.parse(s.OutgoingVersionSerializer).validated_data
        v = services.outgoing_add_version(
            actor=self.user,
            document_id=document_id,
            file_id=body["file"],
            note=body["note"],
            convert=body["convert"],
        )
        return Response(s.DocumentDraftVersionSerializer(v).data, status=status.HTTP_201_CREATED)


class OutgoingCommentsView(_OutgoingView):
    @extend_schema(
        operation_id="documents_outgoing_comment",
        summary="Góp ý dự thảo",
        description="Người xem được văn bản góp ý vào dự thảo (hoặc một phiên bản) trước khi phát hành.",
        parameters=[ID_PARAMETER],
        request=s.OutgoingCommentSerializer,
        responses={201: s.DocumentCommentSerializer, **ACTION_ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, document_id: int) -> Response:
        self.access(document_id)
        body = self.parse(s.OutgoingCommentSerializer).validated_data
        c = services.outgoing_comment(
            actor=self.user, document_id=document_id, text=body["text"], version_id=body["version"]
        )
        return Response(s.DocumentCommentSerializer(c).data, status=status.HTTP_201_CREATED)


# --- Search -----------------------------------------------------------------------------------


def _page_link(request: Request, page: int) -> str:
    return str(replace_query_param(request.build_absolute_uri(), "page", page))


class DocumentSearchView(_DocumentView):
    @extend_schema(
        operation_id="documents_search",
        summary="Tìm kiếm văn bản",
        description=(
            "Tìm trong văn bản đến và đi người gọi được xem (số, ký hiệu, trích yếu, cơ quan "
            "ban hành và nội dung tệp, kể cả bản quét đã nhận dạng chữ), không phân biệt dấu "
            "và hoa thường; mỗi kết quả có đoạn trích chứa từ khóa. Kết quả xếp theo độ khớp; "
            "đếm tối đa 1.000 kết quả."
        ),
        parameters=[s.DocumentSearchQuerySerializer],
        responses={200: s.DocumentSearchPageSerializer, 400: PROBLEM, **ERRORS},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        query = s.DocumentSearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        wanted = query.validated_data["page"]
        found = search_documents(
            self.actor,
            query.validated_data["q"],
            filters=query.to_search_filters(),
            page=wanted,
            per_page=query.validated_data["page_size"],
        )
        if found.page != wanted:  # past the last page: the search gave the last one instead
            raise exceptions.NotFound(
                _("Trang không hợp lệ: không có trang số %(page)s.") % {"page": wanted}
            )
        body = {
            "count": found.total,
            "count_capped": not found.total_exact,
            "next": _page_link(request, found.page + 1) if found.has_next else None,
            "previous": _page_link(request, found.page - 1) if found.has_previous else None,
            "results": [s.search_result_json(hit) for hit in found.hits],
        }
        return Response(body)
