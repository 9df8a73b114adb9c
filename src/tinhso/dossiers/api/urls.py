"""/api/v1/dossiers/ and /api/v1/public/dossiers/ (the forms' PDF routes live in dossiers.forms)."""

from django.urls import URLPattern, URLResolver, include, path

from tinhso.dossiers.api.views import (
    DossierActionView,
    DossierDetailView,
    DossierListView,
    DossierResultSignView,
    PublicDossierView,
)

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("tinhso.dossiers.forms.api_urls")),
    path("dossiers/", DossierListView.as_view(), name="dossier-list"),
    path("dossiers/<str:code>/", DossierDetailView.as_view(), name="dossier-detail"),
    path(
        "dossiers/<str:code>/results/<int:result_id>/sign/",
        DossierResultSignView.as_view(),
        name="dossier-result-sign",
    ),
    path("dossiers/<str:code>/<str:action>/", DossierActionView.as_view(), name="dossier-action"),
    path(
        "public/dossiers/<str:code>/",
        PublicDossierView.as_view(),
        name="public-dossier-detail",
    ),
]
