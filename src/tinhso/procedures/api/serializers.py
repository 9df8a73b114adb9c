from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from tinhso.organizations.models import Agency, Department
from tinhso.procedures.models import (
    Component,
    Fee,
    ProcedureLevel,
    ProcedureVersion,
    ProcessStep,
    VersionStatus,
)


class ProcedureAgencySerializer(serializers.ModelSerializer[Agency]):
    class Meta:
        model = Agency
        fields = ["id", "code", "name"]
        read_only_fields = fields


class ProcedureDepartmentSerializer(serializers.ModelSerializer[Department]):
    class Meta:
        model = Department
        fields = ["id", "name", "short_name"]
        read_only_fields = fields


class ProcedureFeeSerializer(serializers.ModelSerializer[Fee]):
    class Meta:
        model = Fee
        fields = ["name", "amount", "currency", "note"]
        read_only_fields = fields


class ProcedureComponentSerializer(serializers.ModelSerializer[Component]):
    form = serializers.CharField(source="form_template", read_only=True)

    class Meta:
        model = Component
        fields = ["id", "order", "name", "originals", "copies", "form", "required", "reusable"]
        read_only_fields = fields


class ProcedureStepSerializer(serializers.ModelSerializer[ProcessStep]):
    agency = ProcedureAgencySerializer(read_only=True, allow_null=True)
    department = ProcedureDepartmentSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ProcessStep
        fields = [
            "order",
            "name",
            "kind",
            "agency_mode",
            "agency",
            "department",
            "department_short_name",
            "role",
            "duration_hours",
        ]
        read_only_fields = fields


class ProcedureVersionListSerializer(serializers.ModelSerializer[ProcedureVersion]):
    code = serializers.CharField(source="procedure.code", read_only=True)
    version = serializers.IntegerField(source="number", read_only=True)
    levels = serializers.ListField(child=serializers.CharField(), read_only=True)
    competent_agency = serializers.SerializerMethodField()

    class Meta:
        model = ProcedureVersion
        fields = [
            "code",
            "name",
            "field",
            "levels",
            "version",
            "status",
            "processing_time",
            "time_unit",
            "online_level",
            "competent_agency",
            "valid_from",
            "valid_to",
        ]
        read_only_fields = fields

    def get_competent_agency(self, version: ProcedureVersion) -> str:
        """The competent agency's name (of the directory, else as the catalogue writes it)."""
        if version.competent_agency is not None:
            return version.competent_agency.name
        return version.competent_agency_name


class ProcedureVersionDetailSerializer(ProcedureVersionListSerializer):
    competent_agency_ref = ProcedureAgencySerializer(
        source="competent_agency", read_only=True, allow_null=True
    )
    fees = ProcedureFeeSerializer(many=True, read_only=True)
    components = ProcedureComponentSerializer(many=True, read_only=True)
    steps = ProcedureStepSerializer(many=True, read_only=True)

    class Meta(ProcedureVersionListSerializer.Meta):
        fields = [
            *ProcedureVersionListSerializer.Meta.fields,
            "competent_agency_ref",
            "competent_agency_name",
            "decision_number",
            "target_groups",
            "receiving_place",
            "result_name",
            "result_code",
            "legal_basis",
            "conditions",
            "published_at",
            "source_url",
            "fees",
            "components",
            "steps",
        ]
        read_only_fields = fields


class ProcedureFilterSerializer(serializers.Serializer[None]):
    """Query parameters of the procedure list (documented in the OpenAPI schema)."""

    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text=_("Tìm theo mã, tên hoặc lĩnh vực, không phân biệt dấu và hoa thường."),
    )
    level = serializers.ChoiceField(
        choices=ProcedureLevel.choices,
        required=False,
        help_text=_("Cấp thực hiện: central, province, district, commune."),
    )
    field = serializers.CharField(
        required=False, allow_blank=True, max_length=255, help_text=_("Lĩnh vực, ví dụ Hộ tịch.")
    )
    status = serializers.ChoiceField(
        choices=[*VersionStatus.choices, ("all", _("Tất cả"))],
        required=False,
        help_text=_(
            "Trạng thái phiên bản; mặc định published. Phiên bản khác chỉ dành cho quản trị "
            "cấp tỉnh."
        ),
    )
