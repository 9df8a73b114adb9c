from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics

from tinhso.accounts.access import actor_for
from tinhso.organizations.api.serializers import AgencyFilterSerializer, AgencySerializer
from tinhso.organizations.models import Agency
from tinhso.organizations.selectors import agency_list


@extend_schema(
    summary="Danh bạ cơ quan, đơn vị",
    description=(
        "Danh sách cơ quan có mã định danh điện tử, phân trang; lọc theo cấp, cơ quan cấp "
        "trên và từ khóa (không phân biệt dấu). Mọi tài khoản đã đăng nhập đều được đọc."
    ),
    parameters=[AgencyFilterSerializer],
    tags=["organizations"],
)
class AgencyListView(generics.ListAPIView[Agency]):
    serializer_class = AgencySerializer

    def get_queryset(self) -> QuerySet[Agency]:
        filters = AgencyFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data: dict[str, Any] = filters.validated_data
        return agency_list(
            actor=actor_for(self.request.user),
            level=data.get("level") or None,
            parent_id=data.get("parent"),
            q=data.get("q", ""),
        )
