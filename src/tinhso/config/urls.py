from django.urls import include, path

from tinhso.signatures.pki_views import pki

urlpatterns = [
    # First: integrations call the API many times a second, and Django tries the patterns in
    # order (the site's pages under "" would be tried one by one before it).
    path("api/v1/", include("tinhso.api.urls")),
    path("", include("tinhso.web.urls")),
    path("accounts/", include("tinhso.accounts.urls")),
    path("organizations/", include("tinhso.organizations.urls")),
    path("calendar/", include("tinhso.workcalendar.urls")),
    path("audit/", include("tinhso.audit.urls")),
    path("files/", include("tinhso.files.urls")),
    path("notifications/", include("tinhso.notifications.urls")),
    path("procedures/", include("tinhso.procedures.urls")),
    path("dossiers/", include("tinhso.dossiers.urls")),
    path("signatures/", include("tinhso.signatures.urls")),
    path("van-ban/", include("tinhso.documents.urls")),
    path("lien-thong/", include("tinhso.exchange.urls")),
    path("pki/<path:path>", pki, name="pki"),
    path("i18n/", include("django.conf.urls.i18n")),
]
