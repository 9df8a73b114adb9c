"""The operator's pages of the hub, mounted at /hub/ by tinhso.config.urls_hub."""

from django.urls import URLPattern, URLResolver, path

from tinhso.hub import views

app_name = "hub"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.queues, name="queues"),
    path("problems/", views.problems, name="problems"),
    path("packages/", views.packages, name="packages"),
    path("packages/<int:package_id>/", views.package, name="package"),
    path("deliveries/<int:delivery_id>/redeliver/", views.redeliver, name="redeliver"),
]
