from django.http import HttpResponse
from django.urls import path

app_name = "workcalendar"


def _todo(request):
    return HttpResponse("TODO")


urlpatterns = [
    path("calendar/", _todo, name="calendar"),
    path("deadline/", _todo, name="deadline"),
    path("day_list/", _todo, name="day_list"),
]
