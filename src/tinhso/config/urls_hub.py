"""The hub's routes (TINHSO_ROLE=hub): the nodes' calls under /hub/v1/, the operator pages under
/hub/, and sign-in for operators. Nothing of an installation (documents, dossiers …) is served."""

from django.urls import include, path
from django.views.generic import RedirectView

# The shared templates reverse the home page (the header's brand link, LOGIN_REDIRECT_URL): on
# the hub, the operator's queues.
_web = (
    [path("", RedirectView.as_view(pattern_name="hub:queues"), name="home")],
    "web",
)

urlpatterns = [
    path("", include(_web)),
    path("accounts/", include("tinhso.accounts.urls")),
    path("hub/v1/", include("tinhso.hub.api.urls")),
    path("hub/", include("tinhso.hub.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
