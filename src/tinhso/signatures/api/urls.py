from django.urls import path

from tinhso.signatures.api import views

urlpatterns = [
    path("signatures/validate", views.ValidateView.as_view(), name="api-signatures-validate"),
    path(
        "signatures/trust-roots/",
        views.TrustRootListView.as_view(),
        name="api-signatures-trust-roots",
    ),
    path(
        "signatures/trust-roots/<int:root_id>/",
        views.TrustRootDetailView.as_view(),
        name="api-signatures-trust-root",
    ),
    path("signatures/keys/", views.KeyListView.as_view(), name="api-signatures-keys"),
    path("signatures/sign/", views.SignView.as_view(), name="api-signatures-sign"),
    path(
        "signatures/files/<int:file_id>/",
        views.FileReportView.as_view(),
        name="api-signatures-file-report",
    ),
]
