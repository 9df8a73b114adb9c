from django.http import HttpResponse
from django.urls import path

app_name = "organizations"


def _todo(request):
    return HttpResponse("TODO")


urlpatterns = [
    path("agency_list/", _todo, name="agency_list"),
    path("unit_list/", _todo, name="unit_list"),
]
