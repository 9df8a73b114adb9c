from django.http import HttpResponse
from django.urls import path

app_name = "audit"


def _todo(request):
    return HttpResponse("TODO")


urlpatterns = [
    path("event_list/", _todo, name="event_list"),
]
