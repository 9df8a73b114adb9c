from django.urls import path
from django.views.generic import RedirectView

from tinhso.workcalendar import views

app_name = "workcalendar"

_DATE = "<int:year>-<int:month>-<int:day>"

urlpatterns = [
    # The section root leads to its main page, so a trimmed address still works.
    path("", RedirectView.as_view(pattern_name="workcalendar:calendar")),
    path("year/", views.calendar_year, name="calendar"),
    path("deadline/", views.deadline, name="deadline"),
    path("days/", views.day_list, name="day_list"),
    path("days/add/", views.day_add, name="day_add"),
    path(f"days/{_DATE}/edit/", views.day_edit, name="day_edit"),
    path(f"days/{_DATE}/remove/", views.day_remove, name="day_remove"),
    path("working-hours/", views.working_hours, name="working_hours"),
    path("working-hours/province/", views.working_hours_edit, name="working_hours_province"),
    path("working-hours/<int:agency_id>/", views.working_hours_edit, name="working_hours_edit"),
    path(
        "working-hours/<int:agency_id>/reset/",
        views.working_hours_reset,
        name="working_hours_reset",
    ),
]
