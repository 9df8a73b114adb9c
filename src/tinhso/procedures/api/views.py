from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics

from tinhso.accounts.access import actor_for
from tinhso.api.schema import PROBLEM
from tinhso.procedures.api.serializers import (
    ProcedureFilterSerializer,
    ProcedureVersionDetailSerializer,
    ProcedureVersionListSerializer,
)
from tinhso.procedures.models import ProcedureVersion
from tinhso.procedures.selectors import procedure_list, published_version


@extend_schema(
    summary="Danh mục thủ tục hành chính",
    description=(
        "Các thủ tục hành chính đang áp dụng (phiên bản đã công bố), phân trang; lọc theo từ "
        "khóa (không phân biệt dấu), cấp thực hiện và lĩnh vực. Mọi tài khoản đã đăng nhập "
        "đều được đọc; quản trị cấp tỉnh xem được cả phiên bản dự thảo và hết áp dụng "
        "(tham số status)."
    ),
    parameters=[ProcedureFilterSerializer],
    responses={200: ProcedureVersionListSerializer(many=True), 400: PROBLEM, 403: PROBLEM},
    tags=["procedures"],
)
class ProcedureListView(generics.ListAPIView[ProcedureVersion]):
    serializer_class = ProcedureVersionListSerializer

    def get_queryset(self) -> QuerySet[ProcedureVersion]:
        filters = ProcedureFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data: dict[str, Any] = filters.validated_data
        return procedure_list(
            actor=actor_for(self.request.user),
            q=data.get("q", ""),
            level=data.get("level", ""),
            field=data.get("field", ""),
            status=data.get("status", ""),
        )


@extend_schema(
    summary="Thủ tục hành chính đang áp dụng",
    description=(
        "Phiên bản đang áp dụng của thủ tục có mã đã cho: thời hạn, phí, lệ phí, thành phần "
        "hồ sơ (mỗi thành phần có id để hồ sơ tham chiếu) và quy trình nội bộ. 404 khi thủ tục "
        "không có phiên bản đang áp dụng."
    ),
    responses={200: ProcedureVersionDetailSerializer, 404: PROBLEM},
    tags=["procedures"],
)
class ProcedureDetailView(generics.RetrieveAPIView[ProcedureVersion]):
    serializer_class = ProcedureVersionDetailSerializer
    lookup_url_kwarg = "code"

    def get_object(self) -> ProcedureVersion:
        version = published_version(self.kwargs["code"])
        if version is None:
            raise Http404(_("Không có thủ tục đang áp dụng với mã này."))
        return version
