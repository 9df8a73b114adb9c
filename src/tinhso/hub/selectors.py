"""The hub's reads: a node's inbox and sent list, the agencies, and the operator's views.

No list ever loads a package body (`values()` of the columns shown), so memory does not grow
with the size of the packages.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import timezone

from tinhso.hub import registry
from tinhso.hub.models import Delivery, DeliveryEvent, DeliveryState, Node, Package
from tinhso.hub.registry import NodeEntry

MAX_LIMIT = 500
DEFAULT_LIMIT = 50


def clamp_limit(value: int | None) -> int:
    if value is None:
        return DEFAULT_LIMIT
    return max(1, min(int(value), MAX_LIMIT))


def iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if moment else None


def inbox(
    *,
    node: NodeEntry,
    message_type: str = "",
    limit: int | None = None,
    now: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """Deliveries to the agencies of `node` that are pending or whose lease ran out, oldest
    first (decision 0005 §3, "list received")."""
    moment = now or timezone.now()
    rows = Delivery.objects.filter(node_id=node.id).filter(
        Q(state=DeliveryState.PENDING)
        | Q(
            state=DeliveryState.FETCHED,
            lease_until__lt=moment,
            attempts__lt=settings.HUB_MAX_ATTEMPTS,
        )
    )
    if message_type:
        rows = rows.filter(package__message_type=message_type)
    values = rows.order_by("id").values(
        "id",
        "package_id",
        "package__message_type",
        "package__from_organ",
        "organ_id",
        "package__document_id",
        "package__send_id",
        "created_at",
        "attempts",
    )[: clamp_limit(limit)]
    return [
        {
            "id": row["id"],
            "package": row["package_id"],
            "message_type": row["package__message_type"],
            "from": row["package__from_organ"],
            "to": row["organ_id"],
            "document_id": row["package__document_id"],
            "send_id": str(row["package__send_id"]),
            "created_at": iso(row["created_at"]),
            "attempts": row["attempts"],
        }
        for row in values
    ]


#: Without `since`, the sender's list covers this many days back.
SENT_DEFAULT_DAYS = 7


def sent(
    *,
    node: NodeEntry,
    since: dt.datetime | None = None,
    limit: int | None = None,
    now: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """The packages `node` sent whose deliveries changed since `since` (default: the last
    `SENT_DEFAULT_DAYS` days), in the order of their last change, so that the caller can page
    on with the last item's ``changed_at``; with each recipient's state and, for a refusal or
    an abandoned delivery, the reason."""
    moment = now or timezone.now()
    start = since if since is not None else moment - dt.timedelta(days=SENT_DEFAULT_DAYS)
    changes = list(
        Delivery.objects.filter(sender_node_id=node.id, updated_at__gte=start)
        .values("package_id")
        .annotate(changed_at=Max("updated_at"))
        .order_by("changed_at", "package_id")[: clamp_limit(limit)]
    )
    if not changes:
        return []
    packages = {
        row["id"]: row
        for row in Package.objects.filter(id__in=[c["package_id"] for c in changes]).values(
            "id", "send_id", "document_id", "message_type", "created_at"
        )
    }
    recipients: dict[int, list[dict[str, Any]]] = {package_id: [] for package_id in packages}
    for recipient in (
        Delivery.objects.filter(package_id__in=packages)
        .order_by("id")
        .values("package_id", "organ_id", "state", "updated_at", "reason")
    ):
        recipients[recipient["package_id"]].append(
            {
                "organ_id": recipient["organ_id"],
                "state": recipient["state"],
                "updated_at": iso(recipient["updated_at"]),
                "reason": recipient["reason"],
            }
        )
    items = []
    for change in changes:
        row = packages[change["package_id"]]
        items.append(
            {
                "id": row["id"],
                "send_id": str(row["send_id"]),
                "document_id": row["document_id"],
                "message_type": row["message_type"],
                "created_at": iso(row["created_at"]),
                "changed_at": iso(change["changed_at"]),
                "recipients": recipients[row["id"]],
            }
        )
    return items


def agencies() -> list[dict[str, Any]]:
    """Every agency code of the registry served by an enabled node (from the process's
    snapshot: no query in the steady state)."""
    snapshot = registry.current()
    return [
        {"organ_id": organ.organ_id, "name": organ.name, "node": organ.node_code}
        for organ in sorted(snapshot.organs.values(), key=lambda organ: organ.organ_id)
        if snapshot.nodes[organ.node_code].enabled
    ]


# --- The operator -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NodeQueue:
    node: Node
    counts: dict[str, int]
    oldest_pending: dt.datetime | None
    organs: int

    @property
    def oldest_pending_age(self) -> dt.timedelta | None:
        if self.oldest_pending is None:
            return None
        return timezone.now() - self.oldest_pending


def node_queues() -> list[NodeQueue]:
    """Per node: deliveries in each state and the oldest one still waiting (two queries)."""
    states = [state.value for state in DeliveryState]
    aggregates = {
        row["node_id"]: row
        for row in Delivery.objects.values("node_id").annotate(
            oldest=Min("created_at", filter=Q(state=DeliveryState.PENDING)),
            **{state: Count("id", filter=Q(state=state)) for state in states},
        )
    }
    queues = []
    nodes = (
        Node.objects.annotate(organ_count=Count("organs"))
        .only("id", "code", "name", "push_url", "enabled", "fingerprint")
        .order_by("code")
    )
    for node in nodes:
        row: dict[str, Any] = dict(aggregates.get(node.id) or {})
        queues.append(
            NodeQueue(
                node=node,
                counts={state: int(row.get(state, 0)) for state in states},
                oldest_pending=row.get("oldest"),
                organs=node.organ_count,
            )
        )
    return queues


def problem_deliveries(*, state: str = "", node_code: str = "") -> QuerySet[Delivery]:
    """Refused and abandoned deliveries, the latest change first, without package bodies."""
    states = (
        [state]
        if state in (DeliveryState.FAILED, DeliveryState.DEAD)
        else [
            DeliveryState.FAILED,
            DeliveryState.DEAD,
        ]
    )
    rows = Delivery.objects.filter(state__in=states)
    if node_code:
        rows = rows.filter(node__code=node_code)
    return (
        rows.select_related("node", "package")
        .only(
            "id",
            "organ_id",
            "state",
            "attempts",
            "reason",
            "updated_at",
            "node__code",
            "package__id",
            "package__document_id",
            "package__message_type",
            "package__from_organ",
            "package__send_id",
        )
        .order_by("-updated_at", "-id")
    )


def package_search(*, query: str = "", node_code: str = "") -> QuerySet[Package]:
    rows = Package.objects.all()
    query = query.strip()
    if query:
        condition = Q(document_id__icontains=query) | Q(from_organ__iexact=query)
        send_id = _as_uuid(query)
        if send_id is not None:
            condition |= Q(send_id=send_id)
        rows = rows.filter(condition)
    if node_code:
        rows = rows.filter(sender_node__code=node_code)
    return (
        rows.select_related("sender_node")
        .defer("body", "answer")
        .annotate(recipient_count=Count("deliveries"))
        .order_by("-id")
    )


def _as_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@dataclass(frozen=True)
class PackageDetail:
    package: Package
    deliveries: list[Delivery]
    events: dict[int, list[DeliveryEvent]]


def package_detail(package_id: int) -> PackageDetail | None:
    package = (
        Package.objects.select_related("sender_node").defer("body").filter(id=package_id).first()
    )
    if package is None:
        return None
    deliveries = list(
        Delivery.objects.filter(package_id=package_id).select_related("node").order_by("id")
    )
    events: dict[int, list[DeliveryEvent]] = {delivery.id: [] for delivery in deliveries}
    for event in DeliveryEvent.objects.filter(delivery__package_id=package_id).order_by("id"):
        events[event.delivery_id].append(event)
    return PackageDetail(package, deliveries, events)
