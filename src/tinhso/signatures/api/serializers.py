from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from tinhso.signatures.models import SignaturePurpose, SignatureRecord, SigningKey, TrustRoot


class ValidateRequestSerializer(serializers.Serializer[None]):
    file = serializers.FileField(help_text=_("Tệp PDF cần kiểm tra."))
    at = serializers.DateTimeField(
        required=False,
        help_text=_("Kiểm tra tại thời điểm (ISO 8601); bỏ trống = bây giờ."),
    )
    agency_code = serializers.CharField(
        required=False,
        max_length=35,
        help_text=_("Mã định danh của cơ quan được cho là đã ban hành (tùy chọn)."),
    )


class ReasonSerializer(serializers.Serializer[None]):
    code = serializers.CharField()
    message = serializers.CharField()


class SignatureVerdictSerializer(serializers.Serializer[None]):
    field = serializers.CharField()
    signer = serializers.CharField(allow_null=True)
    agency_code = serializers.CharField(allow_null=True)
    signed_at = serializers.CharField(allow_null=True)
    level = serializers.CharField(allow_null=True)
    verdict = serializers.ChoiceField(choices=["valid", "invalid", "indeterminate"])
    intact = serializers.BooleanField()
    trusted = serializers.BooleanField()
    modified_after_signing = serializers.BooleanField()
    reasons = ReasonSerializer(many=True)


class ValidationResultSerializer(serializers.Serializer[None]):
    verdict = serializers.ChoiceField(choices=["valid", "invalid", "indeterminate", "unsigned"])
    valid_at = serializers.CharField()
    signatures = SignatureVerdictSerializer(many=True)


class TrustRootSerializer(serializers.ModelSerializer[TrustRoot]):
    class Meta:
        model = TrustRoot
        fields = [
            "id",
            "subject",
            "issuer",
            "serial",
            "fingerprint",
            "not_before",
            "not_after",
            "trusted_from",
            "trusted_until",
            "enabled",
            "note",
            "added_at",
            "pem",
        ]
        read_only_fields = fields


class TrustRootCreateSerializer(serializers.Serializer[None]):
    pem = serializers.CharField(trim_whitespace=True, help_text=_("Chứng thư gốc dạng PEM."))
    note = serializers.CharField(required=False, allow_blank=True, max_length=255)


class TrustRootUpdateSerializer(serializers.Serializer[None]):
    enabled = serializers.BooleanField()
    trusted_from = serializers.DateTimeField(required=False, allow_null=True)
    trusted_until = serializers.DateTimeField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=255)


class SigningKeySerializer(serializers.ModelSerializer[SigningKey]):
    agency_name = serializers.CharField(source="agency.name", read_only=True)

    class Meta:
        model = SigningKey
        fields = [
            "id",
            "kind",
            "label",
            "agency",
            "agency_name",
            "agency_code",
            "subject",
            "serial",
            "not_before",
            "not_after",
            "storage",
        ]
        read_only_fields = fields


class SignRequestSerializer(serializers.Serializer[None]):
    file = serializers.IntegerField(help_text=_("Mã tệp PDF (từ POST /api/v1/files/)."))
    key = serializers.IntegerField(help_text=_("Mã khóa ký số (GET /api/v1/signatures/keys/)."))
    pin = serializers.CharField(trim_whitespace=False, max_length=64, write_only=True)
    otp = serializers.CharField(required=False, allow_blank=True, max_length=12, write_only=True)
    purpose = serializers.ChoiceField(
        choices=SignaturePurpose.choices, default=SignaturePurpose.DOCUMENT
    )
    level = serializers.ChoiceField(
        choices=["B-B", "B-T", "B-LT", "B-LTA"], required=False, allow_null=True
    )
    appearance = serializers.ChoiceField(
        choices=["auto", "signature", "seal", "box", "none"], default="auto"
    )
    number_notation = serializers.CharField(required=False, allow_blank=True, max_length=60)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


class SignatureRecordSerializer(serializers.ModelSerializer[SignatureRecord]):
    file = serializers.IntegerField(source="result_id", read_only=True)
    sha256 = serializers.CharField(source="result.sha256", read_only=True)
    source_file = serializers.IntegerField(source="source_id", read_only=True)

    class Meta:
        model = SignatureRecord
        fields = [
            "id",
            "file",
            "sha256",
            "source_file",
            "key",
            "purpose",
            "level",
            "field_name",
            "signed_at",
        ]
        read_only_fields = fields
