"""Shapes of the accounts API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tinhso.accounts.models import AccountKind, Membership, Role, User


class TokenRequestSerializer(serializers.Serializer):  # type: ignore[type-arg]
    username = serializers.CharField(
        label=_("Tên đăng nhập"),
        max_length=150,
        error_messages={"required": _("Thiếu tên đăng nhập (username).")},
    )
    password = serializers.CharField(
        label=_("Mật khẩu"),
        max_length=4096,
        trim_whitespace=False,
        style={"input_type": "password"},
        error_messages={"required": _("Thiếu mật khẩu (password).")},
    )
    otp = serializers.RegexField(
        r"^\s*\d{6,8}\s*$",
        label=_("Mã xác thực hai lớp"),
        required=False,
        allow_blank=True,
        help_text=_("Bắt buộc với tài khoản quản trị và tài khoản bật xác thực hai lớp."),
        error_messages={"invalid": _("Mã xác thực (otp) gồm 6 chữ số.")},
    )


class TokenSerializer(serializers.Serializer):  # type: ignore[type-arg]
    token = serializers.CharField(
        help_text=_("Mã truy cập; gửi trong tiêu đề Authorization: Bearer <mã>. Chỉ hiện một lần.")
    )
    expires_at = serializers.DateTimeField(help_text=_("Thời điểm hết hạn."))


class AgencyRefSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    code = serializers.CharField(help_text=_("Mã định danh điện tử của cơ quan."))
    name = serializers.CharField()


class DepartmentRefSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    name = serializers.CharField()


class MembershipSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    agency = AgencyRefSerializer()
    department = DepartmentRefSerializer(allow_null=True)
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["agency", "department", "role"]


class MeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    full_name = serializers.CharField(read_only=True, help_text=_("Họ và tên."))
    kind = serializers.ChoiceField(
        choices=AccountKind.choices,
        read_only=True,
        help_text=_("Loại tài khoản: cán bộ, công dân hoặc doanh nghiệp."),
    )
    memberships = serializers.SerializerMethodField(
        help_text=_("Các vị trí công tác còn hiệu lực; rỗng với công dân và doanh nghiệp.")
    )

    @extend_schema_field(MembershipSerializer(many=True))
    def get_memberships(self, user: User) -> list[dict[str, object]]:
        rows = self.context.get("memberships", [])
        return list(MembershipSerializer(rows, many=True).data)
