"""The documents API under /api/v1/documents/ (included from `tinhso.api.urls`)."""

from django.urls import URLPattern, URLResolver, include, path

from tinhso.documents.api import views

_ID = "<int:document_id>"

urlpatterns: list[URLPattern | URLResolver] = [
    path("documents/incoming/", views.IncomingListView.as_view(), name="documents-incoming-list"),
    path(
        f"documents/incoming/{_ID}/",
        views.IncomingDetailView.as_view(),
        name="documents-incoming-detail",
    ),
    path(
        f"documents/incoming/{_ID}/accept/",
        views.IncomingAcceptView.as_view(),
        name="documents-incoming-accept",
    ),
    path(
        f"documents/incoming/{_ID}/refuse/",
        views.IncomingRefuseView.as_view(),
        name="documents-incoming-refuse",
    ),
    path(
        f"documents/incoming/{_ID}/present/",
        views.IncomingPresentView.as_view(),
        name="documents-incoming-present",
    ),
    path(
        f"documents/incoming/{_ID}/assign/",
        views.IncomingAssignView.as_view(),
        name="documents-incoming-assign",
    ),
    path(
        f"documents/incoming/{_ID}/process/",
        views.IncomingProcessView.as_view(),
        name="documents-incoming-process",
    ),
    path("documents/outgoing/", views.OutgoingListView.as_view(), name="documents-outgoing-list"),
    path(
        f"documents/outgoing/{_ID}/",
        views.OutgoingDetailView.as_view(),
        name="documents-outgoing-detail",
    ),
    path(
        f"documents/outgoing/{_ID}/submit/",
        views.OutgoingSubmitView.as_view(),
        name="documents-outgoing-submit",
    ),
    path(
        f"documents/outgoing/{_ID}/approve/",
        views.OutgoingApproveView.as_view(),
        name="documents-outgoing-approve",
    ),
    path(
        f"documents/outgoing/{_ID}/return/",
        views.OutgoingReturnView.as_view(),
        name="documents-outgoing-return",
    ),
    path(
        f"documents/outgoing/{_ID}/issue/",
        views.OutgoingIssueView.as_view(),
        name="documents-outgoing-issue",
    ),
    path(
        f"documents/outgoing/{_ID}/recall/",
        views.OutgoingRecallView.as_view(),
        name="documents-outgoing-recall",
    ),
    path(
        f"documents/outgoing/{_ID}/versions/",
        views.OutgoingVersionsView.as_view(),
        name="documents-outgoing-versions",
    ),
    path(
        f"documents/outgoing/{_ID}/comments/",
        views.OutgoingCommentsView.as_view(),
        name="documents-outgoing-comments",
    ),
    path("documents/search/", views.DocumentSearchView.as_view(), name="documents-search"),
    path("documents/work-files/", include("tinhso.documents.api.workfiles")),
]
