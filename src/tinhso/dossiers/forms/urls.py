"""Page routes of the forms, included by `dossiers/urls.py` (namespace `dossiers`).

Include them before any `<code>/` route of the dossier pages: `so-theo-doi/` is not a code.
"""

from django.urls import URLPattern, path

from tinhso.dossiers.forms import views

urlpatterns: list[URLPattern] = [
    path("so-theo-doi/", views.tracking_book, name="form_tracking_book"),
    path("so-theo-doi.pdf", views.tracking_book_pdf, name="form_tracking_book_pdf"),
    path("so-theo-doi.xlsx", views.tracking_book_xlsx_view, name="form_tracking_book_xlsx"),
    path("<str:code>/mau/<slug:slug>.pdf", views.form_pdf, name="form_pdf"),
]
