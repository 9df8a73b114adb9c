"""`GET /api/v1/audit/events/`: the audit trail for administrators, with the UI's scoping."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, pagination
from rest_framework.request import Request

from tinhso.accounts.access import Actor, actor_for
from tinhso.audit.access import access_audit_event, audit_scope
from tinhso.audit.api.serializers import AuditEventSerializer
from tinhso.audit.forms import AuditFilterForm
from tinhso.audit.models import AuditEvent
from tinhso.audit.selectors import audit_events, filter_agencies


class AuditCursorPagination(pagination.CursorPagination):
    """Keyset pages on seq: constant cost at any depth, no COUNT over millions of rows."""

    ordering = "-seq"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _actor(request: Request) -> Actor:
    # Administrators signed in by password only never get here: TwoFactorRequiredMiddleware
    # answers 403 for a session without the second factor, and tokens need the code to issue.
    return actor_for(request.user)


_FILTERS = [
    OpenApiParameter("date_from", OpenApiTypes.STR, description="dd/mm/yyyy"),
    OpenApiParameter("date_to", OpenApiTypes.STR, description="dd/mm/yyyy"),
    OpenApiParameter("actor", OpenApiTypes.STR, description="username"),
    OpenApiParameter("action", OpenApiTypes.STR),
    OpenApiParameter("object_type", OpenApiTypes.STR, description="app_label.model"),
    OpenApiParameter("object_id", OpenApiTypes.STR),
    OpenApiParameter("agency", OpenApiTypes.INT, description="agency id"),
    OpenApiParameter("request_id", OpenApiTypes.STR),
]


@extend_schema(parameters=_FILTERS, tags=["audit"])
class AuditEventListView(generics.ListAPIView[AuditEvent]):
    serializer_class = AuditEventSerializer
    pagination_class = AuditCursorPagination

    def get_queryset(self) -> QuerySet[AuditEvent]:
        scope = audit_scope(_actor(self.request))
        form = AuditFilterForm(self.request.query_params, agencies=filter_agencies(scope))
        if not form.is_valid():
            raise exceptions.ValidationError(
                {name: [str(e) for e in errors] for name, errors in form.errors.items()}
            )
        return audit_events(scope=scope, filters=form.filters())


@extend_schema(tags=["audit"])
class AuditEventDetailView(generics.RetrieveAPIView[AuditEvent]):
    serializer_class = AuditEventSerializer

    def get_object(self) -> AuditEvent:
        return access_audit_event(_actor(self.request), int(self.kwargs["seq"]))

    def get_queryset(self) -> QuerySet[AuditEvent]:  # for the schema only
        return AuditEvent.objects.none()
