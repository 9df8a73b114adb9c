"""The nodes' calls under /hub/v1/ (decision 0005 §3): plain Django views answering JSON.

Every call is authenticated by `tinhso.hub.auth` (a signed request of a registered node); a
refusal is ``{"fault", "message", "details"}`` with the fault's HTTP status. These routes exist
only in the hub's URL configuration, outside the installation's OpenAPI schema.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import json
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from tinhso.exchange import takeframe
from tinhso.hub import auth, selectors, services
from tinhso.hub.faults import HubFault
from tinhso.hub.models import MessageType
from tinhso.hub.registry import NodeEntry

#: A call other than a send carries at most a small JSON body.
SMALL_BODY_BYTES = 64 * 1024
#: A batch of acknowledgements: up to 500 items, a refusal's reason each.
ACK_BODY_BYTES = 2 * 1024 * 1024

NodeView = Callable[..., HttpResponse]


def _json(data: dict[str, Any], status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _read_body(request: HttpRequest, limit: int) -> bytes:
    """The body, refused as too large from its declared length before any of it is read."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise HubFault("bad_request", _("Độ dài nội dung không hợp lệ.")) from None
    too_large = HubFault(
        "too_large",
        _("Gói tin vượt quá dung lượng cho phép (%(limit)s byte).") % {"limit": limit},
        [limit],
    )
    if declared > limit:
        raise too_large
    data = request.read(limit + 1) if declared else b""
    if len(data) > limit:
        raise too_large
    return data


def node_call(*methods: str, body_limit: Callable[[], int] = lambda: SMALL_BODY_BYTES) -> Any:
    """Wrap a view of the nodes' API: method check, body, authentication, faults as JSON."""

    def decorate(view: NodeView) -> NodeView:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                if request.method not in methods:
                    raise HubFault(
                        "method_not_allowed",
                        _("Phương thức không được hỗ trợ."),
                        list(methods),
                    )
                body = _read_body(request, body_limit())
                node = auth.authenticate(request, body)
                return view(request, node, body, *args, **kwargs)
            except HubFault as fault:
                response = _json(fault.body(), fault.status)
                if fault.code == "method_not_allowed":
                    response["Allow"] = ", ".join(methods)
                return response

        return wrapper

    return decorate


def _limit(request: HttpRequest) -> int | None:
    value = request.GET.get("limit", "")
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise HubFault("bad_request", _("Tham số limit phải là số nguyên."), ["limit"]) from None


def _message_type(value: str) -> str:
    if value and value not in MessageType.values:
        raise HubFault("bad_request", _("Loại gói tin phải là edoc hoặc status."), ["message_type"])
    return value


@node_call("POST", body_limit=lambda: int(settings.TINHSO_EDXML_MAX_PACKAGE_BYTES))
def package_send(request: HttpRequest, node: NodeEntry, body: bytes) -> HttpResponse:
    try:
        send_id = uuid.UUID(request.headers.get("X-Tinhso-Send-Id", ""))
    except ValueError:
        raise HubFault(
            "bad_request",
            _("Tiêu đề X-Tinhso-Send-Id phải là một UUID."),
            ["X-Tinhso-Send-Id"],
        ) from None
    message_type = request.headers.get("X-Tinhso-Message-Type", "").strip()
    result = services.package_send(node=node, body=body, message_type=message_type, send_id=send_id)
    return _json(result.answer, status=result.status)


@node_call("GET")
def inbox_list(request: HttpRequest, node: NodeEntry, body: bytes) -> HttpResponse:
    items = selectors.inbox(
        node=node,
        message_type=_message_type(request.GET.get("message_type", "")),
        limit=_limit(request),
    )
    return _json({"items": items})


@node_call("GET")
def inbox_get(request: HttpRequest, node: NodeEntry, body: bytes, delivery_id: str) -> HttpResponse:
    fetched = services.delivery_fetch(node=node, delivery_id=int(delivery_id))
    response = HttpResponse(fetched.body, content_type="application/xml")
    response["X-Tinhso-Delivery-Id"] = str(fetched.delivery_id)
    response["X-Tinhso-Attempts"] = str(fetched.attempts)
    response["X-Tinhso-Lease-Until"] = fetched.lease_until.astimezone(dt.UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    return response


@node_call("POST")
def inbox_ack(request: HttpRequest, node: NodeEntry, body: bytes, delivery_id: str) -> HttpResponse:
    try:
        data = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        raise HubFault("bad_request", _("Nội dung phải là một đối tượng JSON."))
    status = data.get("status")
    reason = data.get("reason") or ""
    if status not in ("done", "fail") or not isinstance(reason, str):
        raise HubFault(
            "bad_request",
            _('Trường status phải là "done" hoặc "fail"; reason là chuỗi ký tự.'),
            ["status"],
        )
    acknowledged = services.delivery_ack(
        node=node, delivery_id=int(delivery_id), status=status, reason=reason
    )
    return _json({"id": acknowledged.delivery_id, "state": acknowledged.state})


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        raise HubFault("bad_request", _("Nội dung phải là một đối tượng JSON."))
    return data


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@node_call("POST")
def inbox_take(request: HttpRequest, node: NodeEntry, body: bytes) -> HttpResponse:
    data = _json_object(body)
    message_type = data.get("message_type") or ""
    limit = data.get("limit", services.TAKE_MAX)
    if not isinstance(message_type, str):
        raise HubFault("bad_request", _("Loại gói tin phải là edoc hoặc status."), ["message_type"])
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise HubFault("bad_request", _("Tham số limit phải là số nguyên."), ["limit"])
    taken = services.deliveries_take(
        node=node, message_type=_message_type(message_type), limit=limit
    )
    items = [
        {
            "id": item.delivery_id,
            "package": item.package_id,
            "message_type": item.message_type,
            "from": item.from_organ,
            "to": item.organ_id,
            "document_id": item.document_id,
            "send_id": item.send_id,
            "created_at": selectors.iso(item.created_at),
            "attempts": item.attempts,
            "lease_until": _utc(item.lease_until),
        }
        for item in taken
    ]
    if takeframe.MEDIA_TYPE in request.headers.get("Accept", ""):
        return HttpResponse(
            takeframe.encode(items, [item.body for item in taken]),
            content_type=takeframe.MEDIA_TYPE,
        )
    for row, item in zip(items, taken, strict=True):
        row["body"] = base64.b64encode(item.body).decode("ascii")
    return _json({"items": items})


@node_call("POST", body_limit=lambda: ACK_BODY_BYTES)
def inbox_ack_many(request: HttpRequest, node: NodeEntry, body: bytes) -> HttpResponse:
    items = _json_object(body).get("items")
    if not isinstance(items, list) or len(items) > services.ACK_MAX:
        raise HubFault(
            "bad_request",
            _("Trường items phải là danh sách tối đa %(max)s xác nhận.")
            % {"max": services.ACK_MAX},
            ["items"],
        )
    requests: list[services.AckRequest] = []
    for item in items:
        delivery_id = item.get("id") if isinstance(item, dict) else None
        if isinstance(delivery_id, bool) or not isinstance(delivery_id, int):
            raise HubFault("bad_request", _("Mỗi xác nhận phải có id là số nguyên."), ["items.id"])
        status = item.get("status")
        reason = item.get("reason") or ""
        requests.append(
            services.AckRequest(
                delivery_id=delivery_id,
                status=status if isinstance(status, str) and isinstance(reason, str) else "",
                reason=reason if isinstance(reason, str) else "",
            )
        )
    answers = services.deliveries_ack(node=node, items=requests)
    return _json(
        {
            "items": [
                {"id": request_.delivery_id, "fault": answer.code, "message": answer.message}
                if isinstance(answer, HubFault)
                else {"id": answer.delivery_id, "state": answer.state}
                for request_, answer in zip(requests, answers, strict=True)
            ]
        }
    )


@node_call("GET")
def sent_list(request: HttpRequest, node: NodeEntry, body: bytes) -> HttpResponse:
    since: dt.datetime | None = None
    raw = request.GET.get("since", "").strip()
    if raw:
        try:
            # A "+" of the offset arrives as a space when the client did not escape it.
            since = parse_datetime(raw.replace(" ", "+"))
        except ValueError:
            since = None
        if since is None:
            raise HubFault("bad_request", _("Tham số since phải là thời điểm ISO 8601."), ["since"])
        if since.tzinfo is None:
            since = since.replace(tzinfo=dt.UTC)
    items = selectors.sent(node=node, since=since, limit=_limit(request))
    return _json({"items": items})


@node_call("GET")
def agency_list(request: HttpRequest, node: NodeEntry, body: bytes) -> HttpResponse:
    return _json({"items": selectors.agencies()})
