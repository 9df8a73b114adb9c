"""/api/v1/: each app contributes its routes from its own `api/urls.py`."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("tinhso.accounts.api.urls")),
    path("", include("tinhso.organizations.api.urls")),
    path("", include("tinhso.workcalendar.api.urls")),
    path("", include("tinhso.audit.api.urls")),
    path("", include("tinhso.files.api.urls")),
    path("", include("tinhso.notifications.api.urls")),
    path("", include("tinhso.procedures.api.urls")),
    path("", include("tinhso.dossiers.api.urls")),
    path("", include("tinhso.signatures.api.urls")),
    path("", include("tinhso.documents.api.urls")),
    path("", include("tinhso.exchange.api.urls")),
]
