"""The nodes' calls (decision 0005 §3), mounted at /hub/v1/ by tinhso.config.urls_hub.

Paths without a trailing slash as the contract writes them; one is tolerated.
"""

from django.urls import URLPattern, URLResolver, re_path

from tinhso.hub.api import views

app_name = "hub_api"

urlpatterns: list[URLPattern | URLResolver] = [
    re_path(r"^packages/?$", views.package_send, name="packages"),
    re_path(r"^inbox/?$", views.inbox_list, name="inbox"),
    re_path(r"^inbox/take/?$", views.inbox_take, name="inbox_take"),
    re_path(r"^inbox/ack/?$", views.inbox_ack_many, name="inbox_ack_many"),
    re_path(r"^inbox/(?P<delivery_id>[0-9]{1,18})/?$", views.inbox_get, name="inbox_get"),
    re_path(r"^inbox/(?P<delivery_id>[0-9]{1,18})/ack/?$", views.inbox_ack, name="inbox_ack"),
    re_path(r"^sent/?$", views.sent_list, name="sent"),
    re_path(r"^agencies/?$", views.agency_list, name="agencies"),
]
