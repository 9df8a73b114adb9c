from django.urls import path
from django.views.generic import RedirectView

from tinhso.organizations.views import agencies, departments, units

app_name = "organizations"

urlpatterns = [
    # The section root leads to its main page, so a trimmed address still works.
    path("", RedirectView.as_view(pattern_name="organizations:agency_list")),
    path("agencies/", agencies.agency_list, name="agency_list"),
    path("agencies/new/", agencies.agency_create_view, name="agency_create"),
    path("agencies/<int:agency_id>/", agencies.agency_detail, name="agency_detail"),
    path("agencies/<int:agency_id>/edit/", agencies.agency_edit, name="agency_edit"),
    path("agencies/<int:agency_id>/close/", agencies.agency_close_view, name="agency_close"),
    path(
        "agencies/<int:agency_id>/departments/new/",
        departments.department_create_view,
        name="department_create",
    ),
    path(
        "departments/<int:department_id>/edit/",
        departments.department_edit,
        name="department_edit",
    ),
    path("units/", units.unit_list, name="unit_list"),
]
