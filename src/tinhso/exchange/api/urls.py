"""Routes (filled by the interconnection work)."""

from django.urls import URLPattern, URLResolver, path

from tinhso.exchange import inspect_views

app_name = "exchange_api"

urlpatterns: list[URLPattern | URLResolver] = [
    path("exchange/edxml/inspect", inspect_views.InspectView.as_view(), name="edxml_inspect"),
]
