from django.urls import path

from tinhso.audit.api import views

urlpatterns = [
    path("audit/events/", views.AuditEventListView.as_view(), name="audit-event-list"),
    path(
        "audit/events/<int:seq>/", views.AuditEventDetailView.as_view(), name="audit-event-detail"
    ),
]
