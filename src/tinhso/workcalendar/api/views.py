"""GET /api/v1/calendar/deadline: a due moment from a start, an amount and a unit."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tinhso.api.schema import ProblemSerializer
from tinhso.workcalendar.api.serializers import (
    DeadlineQuerySerializer,
    DeadlineSerializer,
)
from tinhso.workcalendar.arithmetic import TIMEZONE, Unit
from tinhso.workcalendar.selectors import deadline_due


class DeadlineView(APIView):
    # Public and on a hot path: no session or token lookup at all.
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="calendar_deadline",
        summary="Tính hạn xử lý",
        description=(
            "Hạn xử lý tính từ thời điểm bắt đầu theo ngày làm việc, giờ làm việc hoặc ngày "
            "theo lịch, theo lịch làm việc của tỉnh (ngày nghỉ lễ, Tết, ngày nghỉ hoán đổi, "
            "ngày làm bù) và giờ làm việc của cơ quan nếu có. Một ngày làm việc là 8 giờ làm "
            "việc; thời điểm bắt đầu ngoài giờ làm việc được tính từ thời điểm làm việc kế "
            "tiếp; hạn theo ngày lịch rơi vào ngày nghỉ được chuyển sang cuối ngày làm việc kế "
            "tiếp (Bộ luật Dân sự 2015, Điều 147–148). Kết quả theo giờ Việt Nam (+07:00)."
        ),
        tags=["calendar"],
        auth=[],
        parameters=[
            OpenApiParameter(
                "start",
                OpenApiTypes.DATETIME,
                OpenApiParameter.QUERY,
                required=True,
                description="Thời điểm bắt đầu, ISO 8601 có độ lệch múi giờ (+07:00, Z…).",
                examples=[OpenApiExample("Sáng thứ Sáu", value="2024-04-26T09:00:00+07:00")],
            ),
            OpenApiParameter(
                "amount",
                OpenApiTypes.INT,
                OpenApiParameter.QUERY,
                required=True,
                description="Số lượng thời gian, số nguyên không âm.",
            ),
            OpenApiParameter(
                "unit",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=True,
                enum=[u.value for u in Unit],
                description="working_days | working_hours | calendar_days",
            ),
            OpenApiParameter(
                "agency",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=False,
                description="Mã định danh điện tử của cơ quan (dùng giờ làm việc riêng).",
            ),
        ],
        responses={
            200: OpenApiResponse(
                response=DeadlineSerializer,
                description="Thời điểm bắt đầu và hạn xử lý.",
                examples=[
                    OpenApiExample(
                        "3 ngày làm việc qua dịp 30/4 năm 2024",
                        value={
                            "start": "2024-04-26T09:00:00+07:00",
                            "due": "2024-05-04T09:00:00+07:00",
                        },
                    )
                ],
            ),
            400: OpenApiResponse(
                response=ProblemSerializer,
                description="Tham số không hợp lệ (application/problem+json, lỗi theo từng tham số).",
            ),
        },
    )
    def get(self, request: Request) -> Response:
        query = DeadlineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        try:
            due = deadline_due(
                start=data["start"],
                amount=data["amount"],
                unit=Unit(data["unit"]),
                agency_code=data.get("agency"),
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return Response(
            {"start": data["start"].astimezone(TIMEZONE).isoformat(), "due": due.isoformat()}
        )
