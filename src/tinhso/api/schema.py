"""What every app's OpenAPI description shares: the problem document and the bearer scheme.

Use `PROBLEM` in `extend_schema(responses={400: PROBLEM, ...})` for error answers.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema_serializer
from rest_framework import serializers


@extend_schema_serializer(component_name="ProblemDetails")
class ProblemSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """RFC 9457 problem details, as `tinhso.api.problems` writes every API error."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    code = serializers.CharField(required=False)
    # A field named like Serializer.errors: fine here, this serializer only describes output.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Lỗi theo từng trường: {tên trường: [thông báo]}.",
    )


PROBLEM = OpenApiResponse(ProblemSerializer, description="application/problem+json")


class BearerTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """Describes `BearerTokenAuthentication` as the HTTP bearer scheme."""

    target_class = "tinhso.accounts.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: object) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Mã từ POST /api/v1/auth/token/, gửi dạng Authorization: Bearer <mã>.",
        }
