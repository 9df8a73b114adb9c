"""Pages of the e-office under /van-ban/ (namespace `documents`)."""

from django.urls import URLPattern, path
from django.views.generic import RedirectView

from tinhso.documents import urls_registers
from tinhso.documents.views import detail, incoming, lists, outgoing

app_name = "documents"

urlpatterns: list[URLPattern] = [
    path("", RedirectView.as_view(pattern_name="documents:incoming_list")),
    # Văn bản đến.
    path("den/", lists.incoming_list, name="incoming_list"),
    path("vao-so/", incoming.incoming_new, name="incoming_new"),
    path("van-thu/cho-vao-so/", incoming.clerk_queue, name="clerk_queue"),
    path("van-thu/cho-trinh/", incoming.clerk_present, name="clerk_present"),
    path("van-thu/cho-phat-hanh/", incoming.clerk_issue, name="clerk_issue"),
    path("cho-phan-cong/", incoming.to_assign, name="to_assign"),
    path("can-xu-ly/", incoming.inbox, name="inbox"),
    path("qua-han/", incoming.overdue, name="overdue"),
    # Văn bản đi.
    path("di/", lists.outgoing_list, name="outgoing_list"),
    path("soan-thao/", outgoing.draft_new, name="draft_new"),
    path("du-thao/", outgoing.my_drafts, name="my_drafts"),
    path("cho-duyet/", outgoing.approvals, name="approvals"),
    # Tìm kiếm.
    path("tim-kiem/", lists.search, name="search"),
    # Sổ văn bản, hồ sơ công việc (before the `<int:document_id>/` routes).
    *urls_registers.urlpatterns,
    # Một văn bản.
    path("<int:document_id>/", detail.detail, name="detail"),
    path("<int:document_id>/phan-cong/", incoming.assign, name="assign"),
    path("<int:document_id>/thao-tac/<str:action>/", detail.act, name="act"),
]
