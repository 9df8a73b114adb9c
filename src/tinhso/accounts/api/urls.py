from django.urls import path

from tinhso.accounts.api import views

app_name = "accounts_api"

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("auth/token/revoke/", views.TokenRevokeView.as_view(), name="token_revoke"),
    path("me/", views.MeView.as_view(), name="me"),
]
