"""/api/v1/dossiers/{code}/forms/{form}.pdf and /api/v1/dossiers/tracking-book.{pdf|xlsx}."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from tinhso.accounts.access import actor_for
from tinhso.api.problems import Conflict
from tinhso.api.schema import PROBLEM
from tinhso.dossiers.forms.access import (
    access_dossier_forms,
    access_tracking_book,
    require_book_reader,
)
from tinhso.dossiers.forms.book import tracking_book_xlsx
from tinhso.dossiers.forms.inputs import TrackingBookQuery
from tinhso.dossiers.forms.registry import (
    FormKind,
    FormNotApplicable,
    FormNotFound,
    form_spec,
)
from tinhso.dossiers.forms.render import render_form, render_tracking_book
from tinhso.dossiers.forms.responses import (
    PDF,
    XLSX,
    book_filename,
    document_response,
    form_filename,
)


class FormConflict(Conflict):
    """The form records something that did not happen to the dossier (HTTP 409)."""

    default_code = "form_not_applicable"


class _AnyAccept(BaseContentNegotiation):
    """A document answers whatever the client's Accept says (`application/pdf`, `*/*`…);
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


class DossierFormView(APIView):
    content_negotiation_class = _AnyAccept

    @extend_schema(
        operation_id="dossiers_form",
        summary="In mẫu phiếu của hồ sơ (PDF)",
        description=(
            "Mẫu phiếu một cửa của hồ sơ dạng PDF A4, theo bộ quy định của hồ sơ. Hồ sơ theo "
            "Nghị định 61/2018 (Thông tư 01/2018/TT-VPCP): `mau-01` Giấy tiếp nhận hồ sơ và hẹn "
            "trả kết quả, `mau-02` Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ, `mau-03` Phiếu từ "
            "chối tiếp nhận, `mau-04` Phiếu xin lỗi và hẹn lại ngày trả kết quả, `mau-05` Phiếu "
            "kiểm soát quá trình giải quyết hồ sơ, `mau-06` Sổ theo dõi hồ sơ (của bộ phận một "
            "cửa, ngày tiếp nhận hồ sơ). Hồ sơ theo Nghị định 118/2025 (Thông tư 03/2025/TT-VPCP): "
            "`mau-01`–`mau-03` như trên, `mau-04` Văn bản xin lỗi và đề nghị gia hạn thời gian "
            "giải quyết, `mau-05` Thông báo dừng giải quyết hồ sơ, `mau-06` Phiếu kiểm soát, "
            "`mau-07` Sổ theo dõi hồ sơ. Mẫu không có theo bộ quy định của hồ sơ: 404; mẫu ghi "
            "nhận việc chưa xảy ra (ví dụ phiếu từ chối của hồ sơ đã tiếp nhận): 409 "
            "(code `form_not_applicable`). Cán bộ xem được hồ sơ được in; sổ theo dõi chỉ dành "
            "cho cán bộ một cửa, lãnh đạo cơ quan tiếp nhận và quản trị cấp tỉnh."
        ),
        tags=["dossiers"],
        parameters=[
            OpenApiParameter(
                "code", OpenApiTypes.STR, OpenApiParameter.PATH, description="Mã hồ sơ."
            ),
            OpenApiParameter(
                "form",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="Số mẫu: mau-01 … mau-07.",
            ),
        ],
        responses={
            (200, PDF): OpenApiResponse(
                OpenApiTypes.BINARY,
                description='PDF, Content-Disposition: inline; filename="{mã hồ sơ}-{mẫu}.pdf".',
            ),
            401: PROBLEM,
            403: PROBLEM,
            404: PROBLEM,
            409: PROBLEM,
        },
    )
    def get(self, request: Request, code: str, form: str) -> HttpResponse:
        actor = actor_for(request.user)
        d = access_dossier_forms(actor, code)
        try:
            spec = form_spec(d.rule_set, form)
            if spec.kind == FormKind.BOOK:
                access_tracking_book(actor, d.receiving_agency_id)
            pdf = render_form(d, spec.slug)
        except FormNotFound as exc:
            raise exceptions.NotFound(exc.message) from exc
        except FormNotApplicable as exc:
            raise FormConflict(exc.message) from exc
        return document_response(pdf, PDF, form_filename(d.code, spec.slug), inline=True)


class TrackingBookView(APIView):
    content_negotiation_class = _AnyAccept

    @extend_schema(
        operation_id="dossiers_tracking_book",
        summary="Sổ theo dõi hồ sơ của bộ phận một cửa (PDF hoặc Excel)",
        description=(
            "Các hồ sơ bộ phận một cửa của cơ quan đã tiếp nhận từ ngày `from` đến ngày `to` "
            "(giờ Việt Nam, tính cả hai ngày, tối đa 366 ngày): PDF A4 ngang theo mẫu Sổ theo "
            "dõi hồ sơ, hoặc tệp .xlsx cùng các cột, ngày ở dạng ngày dd/mm/yyyy, dòng tiêu đề "
            "cố định. Bản PDF in tối đa 1.500 hồ sơ (cấu hình TINHSO_TRACKING_BOOK_PDF_MAX_ROWS); "
            "kỳ nhiều hơn trả lỗi 400 ở trường `to`, hãy dùng .xlsx. Cán bộ một cửa, lãnh đạo "
            "của cơ quan và quản trị cấp tỉnh."
        ),
        tags=["dossiers"],
        parameters=[
            OpenApiParameter(
                "fmt",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                enum=["pdf", "xlsx"],
                description="pdf | xlsx",
            ),
            OpenApiParameter(
                "agency",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=False,
                description=(
                    "Cơ quan tiếp nhận: mã số (id) hoặc mã định danh; bỏ trống khi người gọi chỉ "
                    "có một cơ quan."
                ),
            ),
            OpenApiParameter(
                "from",
                OpenApiTypes.DATE,
                OpenApiParameter.QUERY,
                required=True,
                description="Từ ngày (yyyy-mm-dd).",
            ),
            OpenApiParameter(
                "to",
                OpenApiTypes.DATE,
                OpenApiParameter.QUERY,
                required=True,
                description="Đến ngày (yyyy-mm-dd).",
            ),
        ],
        responses={
            (200, PDF): OpenApiResponse(OpenApiTypes.BINARY, description="Sổ theo dõi hồ sơ, PDF."),
            (200, XLSX): OpenApiResponse(
                OpenApiTypes.BINARY, description="Sổ theo dõi hồ sơ, Excel."
            ),
            400: PROBLEM,
            401: PROBLEM,
            403: PROBLEM,
            404: PROBLEM,
        },
    )
    def get(self, request: Request, fmt: str) -> HttpResponse:
        actor = actor_for(request.user)
        require_book_reader(actor)
        query = TrackingBookQuery(request.query_params)
        if not query.is_valid():
            raise exceptions.ValidationError(query.error_dict())
        agency = access_tracking_book(actor, query.cleaned_data["agency"])
        p = query.period
        if fmt == "pdf":
            content, content_type = render_tracking_book(agency, p.first, p.last), PDF
        else:
            content, content_type = tracking_book_xlsx(agency, p.first, p.last), XLSX
        name = book_filename(agency.code, f"{p.first:%Y%m%d}", f"{p.last:%Y%m%d}", fmt)
        return document_response(content, content_type, name, inline=fmt == "pdf")
