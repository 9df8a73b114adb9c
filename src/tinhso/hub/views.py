"""The operator's pages of the hub (Vietnamese): queues per node, refused and abandoned
deliveries, packages with their receipts, and redelivery.

For signed-in staff (or superusers) only. The pages are rendered without the installation's
context processors, which build the installation's sidebar from routes the hub does not serve.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from tinhso.hub import selectors, services
from tinhso.hub.faults import HubFault
from tinhso.hub.models import DeliveryState, Node

PAGE_SIZE = 50


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    base = {
        "request": request,
        "user": request.user,
        "csrf_token": get_token(request),
        "messages": messages.get_messages(request),
        "province_name": settings.TINHSO_PROVINCE_NAME,
        "states": DeliveryState,
    }
    return HttpResponse(render_to_string(template, base | context), status=status)


def _refuse(request: HttpRequest) -> HttpResponse | None:
    """None when the user is a signed-in operator; otherwise the answer to give."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not (user.is_active and (user.is_staff or user.is_superuser)):
        return _render(
            request,
            "hub/refused.html",
            {"title": _("Không có quyền truy cập")},
            status=403,
        )
    return None


def _page(request: HttpRequest, rows: Any) -> Page[Any]:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _query(request: HttpRequest) -> str:
    """The filter's query string without the page number, ready for ``?{query}page=N``."""
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


def queues(request: HttpRequest) -> HttpResponse:
    refused = _refuse(request)
    if refused:
        return refused
    return _render(
        request,
        "hub/queues.html",
        {"title": _("Hàng đợi theo nút"), "section": "queues", "queues": selectors.node_queues()},
    )


def problems(request: HttpRequest) -> HttpResponse:
    refused = _refuse(request)
    if refused:
        return refused
    state = request.GET.get("state", "")
    node_code = request.GET.get("node", "")
    rows = selectors.problem_deliveries(state=state, node_code=node_code)
    return _render(
        request,
        "hub/problems.html",
        {
            "title": _("Lượt chuyển lỗi"),
            "section": "problems",
            "page": _page(request, rows),
            "query": _query(request),
            "state": state,
            "node_code": node_code,
            "nodes": Node.objects.order_by("code").values_list("code", flat=True),
        },
    )


def packages(request: HttpRequest) -> HttpResponse:
    refused = _refuse(request)
    if refused:
        return refused
    query = request.GET.get("q", "")[:200]
    node_code = request.GET.get("node", "")
    rows = selectors.package_search(query=query, node_code=node_code)
    return _render(
        request,
        "hub/packages.html",
        {
            "title": _("Gói tin"),
            "section": "packages",
            "page": _page(request, rows),
            "query": _query(request),
            "q": query,
            "node_code": node_code,
            "nodes": Node.objects.order_by("code").values_list("code", flat=True),
        },
    )


def package(request: HttpRequest, package_id: int) -> HttpResponse:
    refused = _refuse(request)
    if refused:
        return refused
    detail = selectors.package_detail(package_id)
    if detail is None:
        return _render(
            request, "hub/refused.html", {"title": _("Không tìm thấy gói tin")}, status=404
        )
    rows = [(delivery, detail.events[delivery.id]) for delivery in detail.deliveries]
    return _render(
        request,
        "hub/package.html",
        {
            "title": _("Gói tin %(document)s") % {"document": detail.package.document_id},
            "section": "packages",
            "package": detail.package,
            "rows": rows,
            "redeliverable": (DeliveryState.FAILED, DeliveryState.DEAD),
        },
    )


def redeliver(request: HttpRequest, delivery_id: int) -> HttpResponse:
    refused = _refuse(request)
    if refused:
        return refused
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        delivery = services.delivery_redeliver(actor=request.user, delivery_id=delivery_id)
    except HubFault as fault:
        messages.error(request, fault.message)
        target = reverse("hub:problems")
    else:
        messages.success(
            request,
            _("Đã đưa lượt chuyển đến %(organ)s vào hàng đợi lại.") % {"organ": delivery.organ_id},
        )
        target = reverse("hub:package", args=[delivery.package_id])
    candidate = request.POST.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = candidate
    return HttpResponseRedirect(target)
