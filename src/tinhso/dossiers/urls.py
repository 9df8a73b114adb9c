from django.urls import include, path

from tinhso.dossiers import public, views

app_name = "dossiers"

urlpatterns = [
    path("tra-cuu/", public.track, name="track"),
    path("quay/", views.queue, name="queue"),
    path("tiep-nhan/", views.receive, name="receive"),
    path("tiep-nhan/<str:procedure_code>/", views.receive_form, name="receive_form"),
    path("tim-kiem/", views.search, name="search"),
    path("sap-den-han/", views.near_due, name="near_due"),
    path("qua-han/", views.overdue, name="overdue"),
    path("can-xu-ly/", views.inbox, name="inbox"),
    path("cho-phe-duyet/", views.approvals, name="approvals"),
    path("bang-theo-doi/", views.board, name="board"),
    path("toan-tinh/", views.province_board, name="province_board"),
    # The official forms (`<code>/mau/<slug>.pdf`) and the tracking book (`so-theo-doi/`),
    # before the `<str:code>/` routes:
    path("", include("tinhso.dossiers.forms.urls")),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/thao-tac/<str:action>/", views.act, name="act"),
    path("<str:code>/ket-qua/<int:result_id>/ky-so/", views.sign_result, name="sign_result"),
]
