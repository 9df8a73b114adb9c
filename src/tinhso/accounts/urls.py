from django.http import HttpResponse
from django.urls import path

app_name = "accounts"


def _todo(request):
    return HttpResponse("TODO")


urlpatterns = [
    path("login/", _todo, name="login"),
    path("logout/", _todo, name="logout"),
    path("two_factor/", _todo, name="two_factor"),
    path("official_list/", _todo, name="official_list"),
]
