from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from tinhso.organizations.models import Agency, AgencyLevel


class AgencySerializer(serializers.ModelSerializer[Agency]):
    class Meta:
        model = Agency
        fields = ["id", "code", "name", "short_name", "level"]
        read_only_fields = fields


class AgencyFilterSerializer(serializers.Serializer[None]):
    """Query parameters of the agency list (documented in the OpenAPI schema)."""

    level = serializers.ChoiceField(
        choices=AgencyLevel.choices,
        required=False,
        help_text=_("Cấp cơ quan: central, province, district, commune."),
    )
    parent = serializers.IntegerField(  # type: ignore[assignment]  # DRF pops it from the class
        required=False, min_value=1, help_text=_("Mã số (id) của cơ quan cấp trên.")
    )
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text=_(
            "Tìm theo tên, tên viết tắt hoặc mã định danh, không phân biệt dấu và hoa thường."
        ),
    )
