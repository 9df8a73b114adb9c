"""The API base of accounts: bearer tokens and the caller's identity."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.utils.translation import gettext as _
from django_otp import verify_token
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tinhso.accounts.api.serializers import (
    MeSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
from tinhso.accounts.models import ApiToken, User
from tinhso.accounts.selectors import user_memberships
from tinhso.accounts.services import api_token_issue, api_token_revoke
from tinhso.accounts.two_factor import confirmed_device, requires_two_factor, token_error_message
from tinhso.api.problems import problem_response
from tinhso.api.schema import PROBLEM


def _failed(request: Request, username: str) -> None:
    """Count a failed attempt for django-axes (a wrong second factor counts like a password)."""
    user_login_failed.send(
        sender=__name__, credentials={"username": username}, request=request._request
    )


class TokenView(APIView):
    """Exchange a username and password (and a two-factor code) for a bearer token."""

    authentication_classes: list[type] = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        operation_id="auth_token_create",
        summary="Cấp mã truy cập",
        description=(
            "Đổi tên đăng nhập và mật khẩu (và mã xác thực hai lớp `otp` với tài khoản quản "
            "trị) lấy mã truy cập Bearer. Đăng nhập sai nhiều lần sẽ bị tạm khóa (429)."
        ),
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: PROBLEM,
            401: PROBLEM,
            403: PROBLEM,
            429: PROBLEM,
        },
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        incoming = TokenRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        username = incoming.validated_data["username"]
        otp = (incoming.validated_data.get("otp") or "").strip()
        # django-axes watches `authenticate`: it refuses a locked account and counts failures;
        # when this failure locks the account, AxesMiddleware answers 429 instead of our 401.
        user: Any = authenticate(
            request._request, username=username, password=incoming.validated_data["password"]
        )
        if user is None:
            return problem_response(
                401,
                _("Tên đăng nhập hoặc mật khẩu không đúng."),
                code="invalid_credentials",
                headers={"WWW-Authenticate": 'Bearer realm="api"'},
            )
        if requires_two_factor(user):
            device = confirmed_device(user)
            if device is None:
                return problem_response(
                    403,
                    _(
                        "Tài khoản này phải dùng xác thực hai lớp nhưng chưa đăng ký: hãy đăng "
                        "nhập trên trang web để đăng ký ứng dụng xác thực trước."
                    ),
                    code="two_factor_not_enrolled",
                )
            if not otp:
                return problem_response(
                    401,
                    _("Tài khoản này cần mã xác thực hai lớp: gửi kèm trường otp."),
                    errors={"otp": [_("Cần mã xác thực hai lớp (6 chữ số).")]},
                    code="otp_required",
                    headers={"WWW-Authenticate": 'Bearer realm="api"'},
                )
            allowed, info = device.verify_is_allowed()
            if not (allowed and verify_token(user, device.persistent_id, otp)):
                _failed(request, username)
                message = token_error_message(None if allowed else info)
                return problem_response(
                    401,
                    message,
                    errors={"otp": [message]},
                    code="otp_invalid",
                    headers={"WWW-Authenticate": 'Bearer realm="api"'},
                )
        token, key = api_token_issue(actor=user)
        # A successful sign-in: axes clears the failure count, Django records last_login.
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        return Response(
            TokenSerializer({"token": key, "expires_at": token.expires_at}).data,
            status=status.HTTP_200_OK,
        )


class TokenRevokeView(APIView):
    """Revoke the bearer token this request is made with."""

    @extend_schema(
        operation_id="auth_token_revoke",
        summary="Thu hồi mã truy cập đang dùng",
        request=None,
        responses={204: None, 400: PROBLEM, 401: PROBLEM},
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        if not isinstance(request.auth, ApiToken):
            return problem_response(
                400,
                _("Yêu cầu này phải gửi kèm mã truy cập Bearer cần thu hồi."),
                code="bearer_required",
            )
        api_token_revoke(actor=cast(User, request.user), token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """Who the caller is: account kind and active memberships (agency, department, role)."""

    @extend_schema(
        operation_id="me_retrieve",
        summary="Tài khoản đang gọi API",
        responses={200: MeSerializer, 401: PROBLEM},
        tags=["auth"],
    )
    def get(self, request: Request) -> Response:
        user: Any = request.user
        memberships = list(user_memberships(user=user))
        return Response(MeSerializer(user, context={"memberships": memberships}).data)
