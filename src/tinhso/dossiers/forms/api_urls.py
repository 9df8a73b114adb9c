"""API routes of the forms, included by `dossiers/api/urls.py`.

Include them before a `dossiers/<code>/` route: `tracking-book.pdf` is not a code.
"""

from django.urls import URLPattern, path, re_path

from tinhso.dossiers.forms.api import DossierFormView, TrackingBookView

urlpatterns: list[URLPattern] = [
    re_path(
        r"^dossiers/tracking-book\.(?P<fmt>pdf|xlsx)$",
        TrackingBookView.as_view(),
        name="dossier-tracking-book",
    ),
    path(
        "dossiers/<str:code>/forms/<slug:form>.pdf",
        DossierFormView.as_view(),
        name="dossier-form",
    ),
]
