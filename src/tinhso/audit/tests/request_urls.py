"""The project's URLs plus one page whose "service" writes an audit row, for request tests."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from tinhso.audit.services import audit_record


def thing_touch(*, actor: object) -> None:
    """A minimal service: one transaction, its audit row last."""
    with transaction.atomic():
        audit_record(
            actor=actor, action="test.thing.touch", object_type="test.thing", object_id="1"
        )


def touch_view(request: HttpRequest) -> HttpResponse:
    thing_touch(actor=request.user if request.user.is_authenticated else "anonymous")
    return HttpResponse("ok")


urlpatterns = [
    path("test-touch/", touch_view),
    path("", include("tinhso.config.urls")),
]
