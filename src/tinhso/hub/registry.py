"""The registry as each process keeps it: nodes with their parsed certificates, the agency codes
they serve, and the trust anchors of envelope signatures.

Every call of a node needs its certificate and the sending path needs the agencies and the
anchors; reading and parsing them per request would cost more than the rest of a send. A process
keeps one snapshot and asks the database every `RECHECK_SECONDS` whether the registry changed
(one aggregate query), reloading it only then. A write through `services` drops the snapshot of
its own process at commit. The snapshot holds the registry only, so its size is bounded by it.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.db.models import Count, Max

from tinhso.hub.models import Node, Organ, TrustAnchor


@dataclass(frozen=True, slots=True)
class NodeEntry:
    id: int
    code: str
    name: str
    certificate: x509.Certificate
    fingerprint: str
    push_url: str
    enabled: bool


@dataclass(frozen=True, slots=True)
class OrganEntry:
    organ_id: str
    name: str
    node_id: int
    node_code: str


@dataclass(frozen=True, slots=True)
class Snapshot:
    nodes: dict[str, NodeEntry]
    nodes_by_id: dict[int, NodeEntry]
    nodes_by_fingerprint: dict[str, NodeEntry]
    organs: dict[str, OrganEntry]
    #: DER of the enabled trust anchors, for `edxml.verify(trust_roots=…)`.
    trust_roots: tuple[bytes, ...]
    version: tuple[Any, ...]


def recheck_seconds() -> float:
    return float(getattr(settings, "HUB_REGISTRY_RECHECK_SECONDS", 5.0))


def pem_to_der(pem: bytes | str) -> bytes:
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    return x509.load_pem_x509_certificate(data).public_bytes(serialization.Encoding.DER)


def fingerprint_of(certificate: x509.Certificate) -> str:
    """SHA-256 of the certificate's DER, lower-case hex."""
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


_lock = threading.Lock()
_snapshot: Snapshot | None = None
_checked_at = 0.0


def _version() -> tuple[Any, ...]:
    nodes = Node.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    organs = Organ.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    anchors = TrustAnchor.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    return (nodes["n"], nodes["at"], organs["n"], organs["at"], anchors["n"], anchors["at"])


def _load(version: tuple[Any, ...]) -> Snapshot:
    nodes: dict[str, NodeEntry] = {}
    for row in Node.objects.values(
        "id", "code", "name", "certificate_pem", "fingerprint", "push_url", "enabled"
    ):
        nodes[row["code"]] = NodeEntry(
            id=row["id"],
            code=row["code"],
            name=row["name"],
            certificate=x509.load_pem_x509_certificate(row["certificate_pem"].encode("ascii")),
            fingerprint=row["fingerprint"],
            push_url=row["push_url"],
            enabled=row["enabled"],
        )
    by_id = {entry.id: entry for entry in nodes.values()}
    organs = {
        organ_id: OrganEntry(organ_id, name, node_id, by_id[node_id].code)
        for organ_id, name, node_id in Organ.objects.values_list("organ_id", "name", "node_id")
    }
    roots = tuple(
        pem_to_der(pem)
        for pem in TrustAnchor.objects.filter(enabled=True)
        .order_by("id")
        .values_list("certificate_pem", flat=True)
    )
    return Snapshot(
        nodes=nodes,
        nodes_by_id=by_id,
        nodes_by_fingerprint={entry.fingerprint: entry for entry in nodes.values()},
        organs=organs,
        trust_roots=roots,
        version=version,
    )


def current() -> Snapshot:
    """The registry, at most `recheck_seconds()` old for changes made by other processes."""
    global _snapshot, _checked_at
    now = time.monotonic()
    snapshot = _snapshot
    if snapshot is not None and now - _checked_at < recheck_seconds():
        return snapshot
    with _lock:
        if _snapshot is not None and time.monotonic() - _checked_at < recheck_seconds():
            return _snapshot
        version = _version()
        if _snapshot is None or _snapshot.version != version:
            _snapshot = _load(version)
        _checked_at = time.monotonic()
        return _snapshot


def invalidate() -> None:
    """Forget the snapshot (after this process changed the registry, and between tests)."""
    global _snapshot, _checked_at
    with _lock:
        _snapshot = None
        _checked_at = 0.0
