"""Routes of the exchange pages under /lien-thong/."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
app_name = "exchange"
