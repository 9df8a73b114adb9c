from django.urls import path

from tinhso.signatures import public, views

app_name = "signatures"

urlpatterns = [
    path("kiem-tra/", public.check_page, name="check"),
    path("tin-cay/", views.trust_list, name="trust_list"),
    path("tin-cay/<int:pk>/bat-tat/", views.trust_root_toggle, name="trust_root_toggle"),
    path("tep/<int:file_id>/", views.file_report, name="file_report"),
    path("tep/<int:file_id>/ky/", views.sign_file, name="sign_file"),
]
