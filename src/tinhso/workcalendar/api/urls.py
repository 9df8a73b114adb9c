from django.urls import URLPattern, path

from tinhso.workcalendar.api.views import DeadlineView

urlpatterns: list[URLPattern] = [
    path("calendar/deadline", DeadlineView.as_view(), name="calendar-deadline"),
]
