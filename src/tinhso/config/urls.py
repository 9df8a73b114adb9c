from django.urls import include, path

urlpatterns = [
    path("", include("tinhso.web.urls")),
    path("accounts/", include("tinhso.accounts.urls")),
    path("organizations/", include("tinhso.organizations.urls")),
    path("calendar/", include("tinhso.workcalendar.urls")),
    path("audit/", include("tinhso.audit.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("tinhso.api.urls")),
]
