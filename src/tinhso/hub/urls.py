"""Routes (filled by the interconnection work)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
app_name = "hub"
