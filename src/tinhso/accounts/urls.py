from django.urls import path

from tinhso.accounts.views import auth, officials

app_name = "accounts"

urlpatterns = [
    path("login/", auth.SignInView.as_view(), name="login"),
    path("logout/", auth.SignOutView.as_view(), name="logout"),
    path("two-factor/", auth.two_factor, name="two_factor"),
    path("password/", auth.password_change, name="password_change"),
    path("officials/", officials.official_list_view, name="official_list"),
    path(
        "agencies/<int:agency_id>/officials/new/",
        officials.official_create_view,
        name="official_create",
    ),
    path("officials/<int:user_id>/", officials.official_detail_view, name="official_detail"),
    path(
        "officials/<int:user_id>/memberships/new/",
        officials.membership_add_view,
        name="membership_add",
    ),
    path(
        "memberships/<int:membership_id>/end/",
        officials.membership_end_view,
        name="membership_end",
    ),
    path(
        "officials/<int:user_id>/deactivate/",
        officials.official_deactivate_view,
        name="official_deactivate",
    ),
    path(
        "officials/<int:user_id>/reactivate/",
        officials.official_reactivate_view,
        name="official_reactivate",
    ),
    path(
        "officials/<int:user_id>/two-factor/reset/",
        officials.official_otp_reset_view,
        name="official_otp_reset",
    ),
]
