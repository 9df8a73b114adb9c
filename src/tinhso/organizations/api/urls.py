from django.urls import path

from tinhso.organizations.api.views import AgencyListView

urlpatterns = [
    path("agencies/", AgencyListView.as_view(), name="api-agency-list"),
]
