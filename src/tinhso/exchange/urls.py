"""Routes of the exchange pages under /lien-thong/."""

from django.urls import URLPattern, URLResolver, path

from tinhso.exchange import inspect_views, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("kiem-tra-edxml/", inspect_views.inspect_page, name="edxml_inspect"),
    # The node: the clerk's monitor of sent and received packages, revoke answers.
    path("da-gui/", views.sent_list, name="sent"),
    path("da-gui/<int:outbox_id>/gui-lai/", views.outbox_retry, name="outbox_retry"),
    path("da-nhan/", views.received_list, name="received"),
    path(
        "van-ban/<int:document_id>/thu-hoi/<str:answer>/",
        views.revoke_answer,
        name="revoke_answer",
    ),
]
app_name = "exchange"
