"""Views that fail on purpose, for the problem+json tests (used with @pytest.mark.urls)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import path
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tinhso.api.problems import Conflict
from tinhso.config.urls import urlpatterns as project_urlpatterns


class _Item(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField(max_length=5)
    count = serializers.IntegerField(min_value=1)
    tags = serializers.ListField(child=serializers.CharField(max_length=3), required=False)


class _Open(APIView):
    permission_classes = [permissions.AllowAny]


class Validation(_Open):
    def post(self, request: Request) -> Response:
        _Item(data=request.data).is_valid(raise_exception=True)
        return Response(status=201)


class NeedsAuth(APIView):
    def get(self, request: Request) -> Response:
        return Response({})


class Forbidden(_Open):
    def get(self, request: Request) -> Response:
        raise PermissionDenied("Bạn không quản trị cơ quan này.")


class Missing(_Open):
    def get(self, request: Request) -> Response:
        raise Http404


class OnlyGet(_Open):
    def get(self, request: Request) -> Response:
        return Response({})


class Clash(_Open):
    def post(self, request: Request) -> Response:
        raise Conflict("Hồ sơ đã được trả kết quả, không thể sửa.")


class DjangoFieldError(_Open):
    def post(self, request: Request) -> Response:
        raise DjangoValidationError({"code": ["Mã định danh không đúng."]})


class DjangoPlainError(_Open):
    def post(self, request: Request) -> Response:
        raise DjangoValidationError("Vị trí công tác này đã kết thúc trước đó.")


def _view(cls: Any) -> Any:
    return cls.as_view()


urlpatterns = [
    path("api/v1/test/validation/", _view(Validation)),
    path("api/v1/test/auth/", _view(NeedsAuth)),
    path("api/v1/test/forbidden/", _view(Forbidden)),
    path("api/v1/test/missing/", _view(Missing)),
    path("api/v1/test/only-get/", _view(OnlyGet)),
    path("api/v1/test/conflict/", _view(Clash)),
    path("api/v1/test/django-field/", _view(DjangoFieldError)),
    path("api/v1/test/django-plain/", _view(DjangoPlainError)),
    *project_urlpatterns,
]
