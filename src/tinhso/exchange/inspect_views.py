"""The edXML inspection tool as an API call and as a page (issue 6 §1).

- `POST /api/v1/exchange/edxml/inspect`: the package as the body (`application/xml`,
  `text/xml` or `application/octet-stream`), or as the file field `package` of a
  multipart/form-data body; answers the report of `tinhso.exchange.inspect` as JSON.
- `/lien-thong/kiem-tra-edxml/`: the same for people, a file to upload or XML to paste.

A body longer than `TINHSO_EDXML_MAX_PACKAGE_BYTES` is refused with 413 from its declared
length, before a byte is read, and otherwise as soon as it passes the limit; the body is read
from the request's stream, so `DATA_UPLOAD_MAX_MEMORY_SIZE` (meant for forms) does not cap a
package. Malformed or hostile XML is a 400 with the parser's Vietnamese message and its code.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import IO, Any, Final

from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tinhso.accounts.access import actor_for
from tinhso.api.problems import problem_response
from tinhso.api.schema import PROBLEM
from tinhso.exchange import edxml
from tinhso.exchange.inspect import (
    TOO_LARGE,
    Inspection,
    edxml_inspect,
    inspection_json,
    max_package_bytes,
    may_inspect,
    refusal_message,
    require_inspector,
)
from tinhso.files.api.uploads import MULTIPART_OVERHEAD, UploadLimitHandler
from tinhso.files.limits import human_size
from tinhso.web.logging import get_logger

log = get_logger(__name__)

#: The body is read in pieces of this size, so a refused body is never held whole.
CHUNK: Final = 1024 * 1024
#: The page's field for pasted XML (the file field is `package`, as in the API).
TEXT_FIELD: Final = "text"


class PackageTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("Gói tin edXML quá lớn.")
    default_code = TOO_LARGE


class PackageMissing(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = gettext_lazy("Gói tin edXML trống.")
    default_code = "empty"


def too_large_message() -> str:
    return _("Gói tin edXML vượt quá dung lượng tối đa %(limit)s.") % {
        "limit": human_size(max_package_bytes())
    }


def declared_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def read_limited(stream: IO[bytes] | Any, limit: int) -> bytes:
    """At most `limit` bytes of `stream`; raises PackageTooLarge as soon as there are more."""
    pieces: list[bytes] = []
    size = 0
    while True:
        piece = stream.read(min(CHUNK, limit + 1 - size))
        if not piece:
            break
        pieces.append(piece)
        size += len(piece)
        if size > limit:
            raise PackageTooLarge(too_large_message())
    return b"".join(pieces)


def log_inspection(
    *,
    actor_id: int | None,
    size: int,
    started: float,
    report: Inspection | None = None,
    refused: str = "",
    via: str,
) -> None:
    """One line per inspection: who, how big, the outcome; never the package itself."""
    fields: dict[str, Any] = {
        "user_id": actor_id,
        "bytes": size,
        "via": via,
        "ms": round((time.monotonic() - started) * 1000, 1),
    }
    if report is not None:
        fields.update(
            kind=report.kind,
            document_id=report.document_id[:200],
            signature=report.signature.verdict,
            warnings=len(report.warnings),
        )
    if refused:
        fields["refused"] = refused
    log.info("exchange.edxml_inspect", **fields)


# --- The API --------------------------------------------------------------------------------


class _PackageParser(BaseParser):
    """The request body as bytes, read up to the package limit."""

    media_type = "application/xml"

    # `request.data` is what the parser returns: here the bytes, not a mapping.
    def parse(  # type: ignore[override]
        self,
        stream: IO[bytes] | Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        return read_limited(stream, max_package_bytes())


class XmlParser(_PackageParser):
    media_type = "application/xml"


class TextXmlParser(_PackageParser):
    media_type = "text/xml"


class OctetStreamParser(_PackageParser):
    media_type = "application/octet-stream"


class IsInspector(BasePermission):
    message = gettext_lazy(
        "Chức năng kiểm tra gói tin edXML dành cho văn thư và quản trị của cơ quan."
    )

    def has_permission(self, request: Request, view: Any) -> bool:
        return may_inspect(actor_for(request.user))


def _organ_schema(name: str) -> serializers.Serializer:  # type: ignore[type-arg]
    return inline_serializer(
        name=name,
        fields={
            "organ_id": serializers.CharField(help_text="Mã định danh cơ quan (OrganId)."),
            "name": serializers.CharField(help_text="Tên cơ quan (OrganName)."),
        },
    )


_PROBLEM_ITEM = inline_serializer(
    name="EdxmlProblem",
    fields={
        "code": serializers.CharField(),
        "field": serializers.CharField(help_text="Phần tử của gói tin bị nêu."),
        "message": serializers.CharField(),
    },
)

INSPECTION_SCHEMA = inline_serializer(
    name="EdxmlInspection",
    fields={
        "kind": serializers.ChoiceField(choices=["document", "status"]),
        "document_id": serializers.CharField(
            help_text="DocumentId; với gói tin trạng thái: của văn bản được trả lời."
        ),
        "from": _organ_schema("EdxmlOrgan"),
        "to": serializers.ListField(child=_organ_schema("EdxmlRecipient")),
        "code_number": serializers.CharField(allow_null=True),
        "code_notation": serializers.CharField(allow_null=True),
        "promulgation_date": serializers.DateField(
            allow_null=True,
            help_text=(
                "Ngày ban hành (ISO 8601), đọc được cả khi gói tin viết sai dạng (có cảnh báo); "
                "null khi không có hoặc không đọc được."
            ),
        ),
        "subject": serializers.CharField(allow_null=True),
        "priority": serializers.IntegerField(
            allow_null=True, help_text="0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc, 4 hẹn giờ."
        ),
        "business_doc_type": serializers.IntegerField(
            allow_null=True, help_text="0 văn bản mới, 1 thu hồi, 2 cập nhật, 3 thay thế."
        ),
        "status_code": serializers.CharField(
            allow_null=True, help_text="Gói tin trạng thái: 01–06, 13, 15, 16."
        ),
        "response_for": inline_serializer(
            name="EdxmlResponseFor",
            allow_null=True,
            fields={
                "organ_id": serializers.CharField(),
                "code": serializers.CharField(),
                "promulgation_date": serializers.DateField(allow_null=True),
                "document_id": serializers.CharField(),
            },
        ),
        "attachments": serializers.ListField(
            child=inline_serializer(
                name="EdxmlAttachment",
                fields={
                    "name": serializers.CharField(),
                    "content_type": serializers.CharField(),
                    "size": serializers.IntegerField(help_text="Byte, sau khi giải nén."),
                },
            )
        ),
        "signature": inline_serializer(
            name="EdxmlSignatureCheck",
            fields={
                "present": serializers.BooleanField(),
                "valid": serializers.BooleanField(),
                "reasons": serializers.ListField(
                    child=inline_serializer(
                        name="EdxmlSignatureReason",
                        fields={
                            "code": serializers.CharField(),
                            "message": serializers.CharField(),
                        },
                    )
                ),
                "signer": serializers.CharField(allow_null=True),
                "agency_code": serializers.CharField(allow_null=True),
            },
        ),
        "warnings": serializers.ListField(child=_PROBLEM_ITEM),
        "type_name": serializers.CharField(allow_null=True),
        "promulgation_place": serializers.CharField(allow_null=True),
        "signer_name": serializers.CharField(allow_null=True),
        "description": serializers.CharField(allow_null=True),
        "timestamp": serializers.DateTimeField(allow_null=True),
    },
)


class InspectView(APIView):
    """Clerks and administrators check a package from another vendor's system."""

    permission_classes = [IsAuthenticated, IsInspector]
    parser_classes = [XmlParser, TextXmlParser, OctetStreamParser, MultiPartParser]

    def initialize_request(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Request:
        # Before authentication: a session's CSRF check reads a multipart body.
        self.upload_limit = UploadLimitHandler(request, max_package_bytes())
        request.upload_handlers.insert(0, self.upload_limit)
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(
        operation_id="exchange_edxml_inspect",
        summary="Kiểm tra một gói tin edXML",
        description=(
            "Dành cho văn thư và quản trị cơ quan. Gửi gói tin edXML (QCVN 102:2016) làm thân "
            "yêu cầu (`Content-Type: application/xml`, `text/xml` hoặc "
            "`application/octet-stream`), hoặc trong trường tệp `package` của "
            "multipart/form-data. Kết quả: loại gói tin (`document` hoặc `status`), các thông "
            "tin của văn bản, nơi nhận, tệp đính kèm, kết quả kiểm tra chữ ký số XML theo danh "
            "sách tin cậy tại thời điểm hiện tại, và các cảnh báo về định dạng. Không lưu lại "
            "gói tin. XML hỏng hoặc nguy hiểm (DTD, thực thể): 400 với `code`; quá dung lượng: "
            "413."
        ),
        tags=["exchange"],
        request={
            "application/xml": OpenApiTypes.BINARY,
            "text/xml": OpenApiTypes.BINARY,
            "application/octet-stream": OpenApiTypes.BINARY,
            "multipart/form-data": inline_serializer(
                name="EdxmlInspectUpload", fields={"package": serializers.FileField()}
            ),
        },
        responses={
            200: INSPECTION_SCHEMA,
            400: OpenApiResponse(
                PROBLEM.response,
                description=(
                    "Không đọc được gói tin; `code`: not_xml, forbidden_dtd, not_edxml, "
                    "missing_field, bad_attachment, empty."
                ),
            ),
            401: PROBLEM,
            403: PROBLEM,
            413: PROBLEM,
            415: PROBLEM,
        },
    )
    def post(self, request: Request) -> Response:
        started = time.monotonic()
        limit = max_package_bytes()
        actor_id = actor_for(request.user).user_id
        multipart = request.content_type.startswith("multipart/")
        declared = declared_length(request._request)
        if declared > limit + (MULTIPART_OVERHEAD if multipart else 0):
            log_inspection(
                actor_id=actor_id, size=declared, started=started, refused=TOO_LARGE, via="api"
            )
            raise PackageTooLarge(too_large_message())
        data = self._package(request)
        try:
            report = edxml_inspect(data, now=timezone.now())
        except edxml.EdxmlRefused as exc:
            log_inspection(
                actor_id=actor_id, size=len(data), started=started, refused=exc.code, via="api"
            )
            if exc.code == TOO_LARGE:
                raise PackageTooLarge(too_large_message()) from None
            return problem_response(400, refusal_message(exc), code=exc.code)
        log_inspection(actor_id=actor_id, size=len(data), started=started, report=report, via="api")
        return Response(inspection_json(report))

    def _package(self, request: Request) -> bytes:
        body = request.data
        if self.upload_limit.exceeded:
            raise PackageTooLarge(too_large_message())
        if isinstance(body, bytes):
            data = body
        else:
            uploads = request.FILES.getlist("package")
            if len(uploads) != 1:
                raise PackageMissing(
                    _(
                        "Gửi gói tin edXML làm thân yêu cầu (Content-Type: application/xml) "
                        "hoặc đúng một tệp trong trường “package” (multipart/form-data)."
                    )
                )
            data = read_limited(uploads[0], max_package_bytes())
        if not data.strip():
            raise PackageMissing(_("Gói tin edXML trống."))
        return data


# --- The page -------------------------------------------------------------------------------


class _Refused(Exception):
    """The page's input refused before parsing: the message to show and the HTTP status."""

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


def _page_package(request: HttpRequest, limit_handler: UploadLimitHandler) -> bytes:
    """The uploaded file, else the pasted text."""
    try:
        upload = request.FILES.get("package")
        text = request.POST.get(TEXT_FIELD, "")
    except RequestDataTooBig:
        raise _Refused(too_large_message(), 413) from None
    if limit_handler.exceeded:
        raise _Refused(too_large_message(), 413)
    if upload is not None and upload.size:
        try:
            return read_limited(upload, max_package_bytes())
        except PackageTooLarge:
            raise _Refused(too_large_message(), 413) from None
    data = text.encode("utf-8")
    if len(data) > max_package_bytes():
        raise _Refused(too_large_message(), 413)
    if not data.strip():
        raise _Refused(_("Chọn tệp gói tin edXML hoặc dán nội dung XML cần kiểm tra."), 400)
    return data


@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def inspect_page(request: HttpRequest) -> HttpResponse:
    """Kiểm tra gói tin edXML: upload or paste, see the report."""
    require_inspector(actor_for(request.user))
    # The limit must be in place before anything reads the body (the CSRF check does, hence
    # csrf_exempt here and csrf_protect on what follows).
    limit_handler = UploadLimitHandler(request, max_package_bytes())
    request.upload_handlers.insert(0, limit_handler)
    return _inspect_page(request, limit_handler)


@csrf_protect
def _inspect_page(request: HttpRequest, limit_handler: UploadLimitHandler) -> HttpResponse:
    context: dict[str, Any] = {
        "limit": human_size(max_package_bytes()),
        "report": None,
        "error": "",
        "error_code": "",
        "file_name": "",
        "text": "",
        "breadcrumbs": [(_("Kiểm tra gói tin edXML"), None)],
    }
    status_code = 200
    if request.method == "POST":
        started = time.monotonic()
        actor_id = actor_for(request.user).user_id
        try:
            data = _page_package(request, limit_handler)
        except _Refused as exc:
            context["error"] = exc.message
            context["error_code"] = "too_large" if exc.status_code == 413 else "empty"
            return render(request, "exchange/inspect.html", context, status=exc.status_code)
        upload = request.FILES.get("package")
        context["file_name"] = upload.name if upload is not None and upload.size else ""
        if not context["file_name"]:
            context["text"] = request.POST.get(TEXT_FIELD, "")
        try:
            report = edxml_inspect(data, now=timezone.now())
        except edxml.EdxmlRefused as exc:
            log_inspection(
                actor_id=actor_id, size=len(data), started=started, refused=exc.code, via="page"
            )
            context["error"] = (
                too_large_message() if exc.code == TOO_LARGE else refusal_message(exc)
            )
            context["error_code"] = exc.code
            status_code = 413 if exc.code == TOO_LARGE else 400
        else:
            log_inspection(
                actor_id=actor_id, size=len(data), started=started, report=report, via="page"
            )
            context["report"] = report
    return render(request, "exchange/inspect.html", context, status=status_code)
