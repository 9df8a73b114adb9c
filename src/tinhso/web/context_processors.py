from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from tinhso.accounts.access import actor_for
from tinhso.web.navigation import sidebar_for


def platform(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    context: dict[str, Any] = {"province_name": settings.TINHSO_PROVINCE_NAME}
    if settings.ROOT_URLCONF == "tinhso.config.urls_hub":  # TINHSO_ROLE=hub
        return context  # the hub serves none of the installation's pages: no sidebar
    if user is not None and user.is_authenticated and user.kind == "official":
        actor = actor_for(user)
        context["actor"] = actor
        context["sidebar"] = sidebar_for(actor, request.path)
    return context
